/**
 * Streaming tar reader: ustar, PAX (local and global) and GNU long names. PAX values stay raw bytes so binary
 * extended attributes survive (tar-stream 3 decodes them as UTF-8, which corrupts security.capability).
 */
import { ChunkReader } from './chunk-reader.js';
import { CorruptLayerError, UnsupportedEntryError } from './errors.js';
import {
  BLOCK_SIZE,
  Field,
  GNU_LONG_LINK_TYPEFLAG,
  GNU_LONG_NAME_TYPEFLAG,
  PAX_GLOBAL_TYPEFLAG,
  PAX_TYPEFLAG,
  PAX_XATTR_PREFIX,
  headerChecksum,
  paddingLength,
  type TarEntryHeader,
  type TarEntryType,
} from './tar-format.js';

export interface TarEntry {
  readonly header: TarEntryHeader;
  /** The entry's content. Read it before asking for the next entry, or it is skipped. */
  readonly body: AsyncIterable<Buffer>;
}

/** PAX headers, GNU long names and the like larger than this are refused as hostile. */
const MAX_META_ENTRY_SIZE = 1024 * 1024;

const TYPE_BY_TYPEFLAG: Readonly<Record<string, TarEntryType>> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
};

/**
 * The entries of a tar stream, in order. After the end-of-archive marker the rest of the input is read and
 * discarded, so whoever hashes the input upstream sees every byte.
 */
export async function* readTarEntries(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<TarEntry, void, undefined> {
  const reader = new ChunkReader(chunks);
  let globalRecords = new Map<string, Buffer>();
  let localRecords: Map<string, Buffer> | undefined;
  let gnuLongName: string | undefined;
  let gnuLongLink: string | undefined;

  for (;;) {
    const block = await reader.readExactly(BLOCK_SIZE);
    if (block === null) return;
    if (isZeroBlock(block)) break;
    verifyChecksum(block);

    const typeflag = String.fromCharCode(block[Field.typeflag[0]]);
    const size = readNumber(block, Field.size, 'size');

    if (typeflag === PAX_TYPEFLAG || typeflag === PAX_GLOBAL_TYPEFLAG || typeflag === GNU_LONG_NAME_TYPEFLAG || typeflag === GNU_LONG_LINK_TYPEFLAG) {
      if (size > MAX_META_ENTRY_SIZE) throw new CorruptLayerError(`a '${typeflag}' header of ${size} bytes exceeds ${MAX_META_ENTRY_SIZE}`);
      const body = (await reader.readExactly(size)) ?? Buffer.alloc(0);
      if (body.length < size) throw new CorruptLayerError('unexpected end of data in an extended header');
      await reader.skip(paddingLength(size));
      if (typeflag === PAX_TYPEFLAG) localRecords = new Map([...(localRecords ?? []), ...parsePaxRecords(body)]);
      else if (typeflag === PAX_GLOBAL_TYPEFLAG) globalRecords = new Map([...globalRecords, ...parsePaxRecords(body)]);
      else if (typeflag === GNU_LONG_NAME_TYPEFLAG) gnuLongName = cString(body);
      else gnuLongLink = cString(body);
      continue;
    }

    const records = new Map([...globalRecords, ...(localRecords ?? [])]);
    const header = buildHeader(block, typeflag, size, records, gnuLongName, gnuLongLink);
    localRecords = undefined;
    gnuLongName = undefined;
    gnuLongLink = undefined;

    // Like Go's reader: only regular files carry content, whatever the size field of other types says.
    const bodySize = header.size;
    let unread = bodySize;
    const body = (async function* () {
      for await (const chunk of reader.stream(unread)) {
        unread -= chunk.length;
        yield chunk;
      }
    })();
    yield { header, body };
    await reader.skip(unread + paddingLength(bodySize));
  }
  await reader.drain();
}

function buildHeader(
  block: Buffer,
  typeflag: string,
  ustarSize: number,
  records: ReadonlyMap<string, Buffer>,
  gnuLongName: string | undefined,
  gnuLongLink: string | undefined,
): TarEntryHeader {
  const isUstar = block.toString('latin1', Field.magic[0], Field.magic[0] + 6) === 'ustar\0';
  let name = readString(block, Field.name);
  const prefix = isUstar ? readString(block, Field.prefix) : '';
  if (prefix !== '') name = `${prefix}/${name}`;
  name = recordString(records, 'path') ?? gnuLongName ?? name;

  let type = TYPE_BY_TYPEFLAG[typeflag];
  if (type === undefined) {
    throw new UnsupportedEntryError(name, typeflag === 'S' ? 'GNU sparse files are not supported' : `tar typeflag '${printable(typeflag)}'`);
  }
  // Pre-POSIX archives mark directories with a trailing slash on an old-style ('\0') regular file.
  if (typeflag === '\0' && name.endsWith('/')) type = 'directory';
  for (const key of records.keys()) {
    if (key.startsWith('GNU.sparse.')) throw new UnsupportedEntryError(name, 'PAX sparse files are not supported');
  }

  const xattrs = new Map<string, Buffer>();
  for (const [key, value] of records) {
    if (key.startsWith(PAX_XATTR_PREFIX) && key.length > PAX_XATTR_PREFIX.length) xattrs.set(key.slice(PAX_XATTR_PREFIX.length), value);
  }

  return {
    name,
    type,
    mode: readNumber(block, Field.mode, 'mode') & 0o7777,
    uid: recordInteger(records, 'uid') ?? readNumber(block, Field.uid, 'uid'),
    gid: recordInteger(records, 'gid') ?? readNumber(block, Field.gid, 'gid'),
    size: type === 'file' ? (recordInteger(records, 'size') ?? ustarSize) : 0,
    mtime: recordNumber(records, 'mtime') ?? readNumber(block, Field.mtime, 'mtime'),
    linkTarget: recordString(records, 'linkpath') ?? gnuLongLink ?? readString(block, Field.linkname),
    devMajor: readNumber(block, Field.devMajor, 'devmajor'),
    devMinor: readNumber(block, Field.devMinor, 'devminor'),
    xattrs,
  };
}

/** Parses `"<length> <key>=<value>\n"` records; values are kept as raw bytes. */
export function parsePaxRecords(body: Buffer): Map<string, Buffer> {
  const records = new Map<string, Buffer>();
  let offset = 0;
  while (offset < body.length) {
    if (body[offset] === 0) break;
    const space = body.indexOf(0x20, offset);
    if (space === -1) throw new CorruptLayerError('PAX record without a length');
    const lengthText = body.toString('latin1', offset, space);
    const length = /^[0-9]+$/.test(lengthText) ? Number(lengthText) : NaN;
    const end = offset + length;
    if (!Number.isSafeInteger(length) || length <= space - offset + 1 || end > body.length || body[end - 1] !== 0x0a) {
      throw new CorruptLayerError(`malformed PAX record at byte ${offset}`);
    }
    const equals = body.indexOf(0x3d, space + 1);
    if (equals === -1 || equals >= end) throw new CorruptLayerError(`PAX record without '=' at byte ${offset}`);
    records.set(body.toString('utf8', space + 1, equals), Buffer.from(body.subarray(equals + 1, end - 1)));
    offset = end;
  }
  return records;
}

function recordString(records: ReadonlyMap<string, Buffer>, key: string): string | undefined {
  const value = records.get(key);
  return value === undefined || value.length === 0 ? undefined : value.toString('utf8');
}

function recordNumber(records: ReadonlyMap<string, Buffer>, key: string): number | undefined {
  const text = recordString(records, key);
  if (text === undefined) return undefined;
  if (!/^-?[0-9]+(\.[0-9]+)?$/.test(text)) throw new CorruptLayerError(`PAX ${key} '${text}' is not a number`);
  return Number(text);
}

function recordInteger(records: ReadonlyMap<string, Buffer>, key: string): number | undefined {
  const value = recordNumber(records, key);
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) throw new CorruptLayerError(`PAX ${key} '${value}' is not a non-negative integer`);
  return value;
}

/** Octal (NUL/space padded) or, when the high bit of the first byte is set, GNU base-256. */
function readNumber(block: Buffer, [offset, width]: readonly [number, number], field: string): number {
  const first = block[offset];
  if (first & 0x80) {
    const negative = first === 0xff;
    let value = negative ? -1 : first & 0x7f;
    for (let i = offset + 1; i < offset + width; i++) value = value * 256 + (negative ? block[i] - 255 : block[i]);
    if (!Number.isSafeInteger(value)) throw new CorruptLayerError(`tar ${field} field is out of range`);
    return value;
  }
  const text = block.toString('latin1', offset, offset + width).replace(/[\0 ]+$/, '').replace(/^[ \0]+/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new CorruptLayerError(`tar ${field} field '${printable(text)}' is not octal`);
  return parseInt(text, 8);
}

function readString(block: Buffer, [offset, width]: readonly [number, number]): string {
  const end = block.indexOf(0, offset);
  return block.toString('utf8', offset, end === -1 || end > offset + width ? offset + width : end);
}

function cString(body: Buffer): string {
  const end = body.indexOf(0);
  return body.toString('utf8', 0, end === -1 ? body.length : end);
}

function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

function verifyChecksum(block: Buffer): void {
  const stored = readNumber(block, Field.checksum, 'checksum');
  if (stored === headerChecksum(block)) return;
  // Some old writers summed the header as signed bytes.
  let signed = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) signed += i >= Field.checksum[0] && i < Field.checksum[0] + 8 ? 0x20 : (block[i] << 24) >> 24;
  if (stored !== signed) throw new CorruptLayerError('tar header checksum mismatch (not a tar stream, or damaged)');
}

function printable(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}
