/**
 * Deterministic tar header encoding: ustar where the values fit, a PAX extended header where they do not.
 * tar-stream 3 is not used for writing because it encodes PAX values as UTF-8 strings (binary xattrs such as
 * security.capability would be corrupted) and saturates uid/gid/device fields above 0o777777 without PAX.
 */
import {
  BLOCK_SIZE,
  Field,
  PAX_TYPEFLAG,
  PAX_XATTR_PREFIX,
  TYPEFLAG_BY_TYPE,
  USTAR_MAGIC,
  USTAR_VERSION,
  headerChecksum,
  paddingLength,
  type TarEntryType,
} from './tar-format.js';

export interface TarHeaderInput {
  /** Entry name without a trailing slash; directories get one appended. */
  readonly name: string;
  readonly type: TarEntryType;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  /** Whole seconds since the epoch. */
  readonly mtime: number;
  readonly linkTarget?: string;
  readonly devMajor?: number;
  readonly devMinor?: number;
  readonly xattrs?: ReadonlyMap<string, Buffer>;
}

/** Zero bytes that end an archive (two blocks). */
export const END_OF_ARCHIVE: Buffer = Buffer.alloc(2 * BLOCK_SIZE);
const ZERO_BLOCK = Buffer.alloc(BLOCK_SIZE);

/** Zero bytes that pad `size` bytes of content up to a whole block. */
export function contentPadding(size: number): Buffer {
  return ZERO_BLOCK.subarray(0, paddingLength(size));
}

/** The header block(s) for one entry: a PAX extended header first when needed, then the ustar block. */
export function encodeTarHeader(input: TarHeaderInput): Buffer {
  const name = input.type === 'directory' ? `${input.name}/` : input.name;
  const linkTarget = input.linkTarget ?? '';
  const records: Array<[string, Buffer]> = [];

  const nameFields = splitUstarName(name);
  if (nameFields === undefined) records.push(['path', Buffer.from(name, 'utf8')]);
  if (!fitsUstarString(linkTarget, Field.linkname[1])) records.push(['linkpath', Buffer.from(linkTarget, 'utf8')]);
  if (!fitsOctal(input.size, Field.size[1])) records.push(['size', Buffer.from(String(input.size))]);
  if (!fitsOctal(input.uid, Field.uid[1])) records.push(['uid', Buffer.from(String(input.uid))]);
  if (!fitsOctal(input.gid, Field.gid[1])) records.push(['gid', Buffer.from(String(input.gid))]);
  if (!fitsOctal(input.mtime, Field.mtime[1])) records.push(['mtime', Buffer.from(String(input.mtime))]);
  if (input.xattrs) {
    const names = [...input.xattrs.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const xattrName of names) records.push([PAX_XATTR_PREFIX + xattrName, input.xattrs.get(xattrName)!]);
  }

  const ustar = Buffer.alloc(BLOCK_SIZE);
  if (nameFields) {
    writeString(ustar, Field.name, nameFields.name);
    writeString(ustar, Field.prefix, nameFields.prefix);
  } else {
    writeString(ustar, Field.name, asciiPrefix(name, Field.name[1]));
  }
  writeOctal(ustar, Field.mode, input.mode & 0o7777);
  writeOctal(ustar, Field.uid, fitsOctal(input.uid, Field.uid[1]) ? input.uid : 0);
  writeOctal(ustar, Field.gid, fitsOctal(input.gid, Field.gid[1]) ? input.gid : 0);
  writeOctal(ustar, Field.size, fitsOctal(input.size, Field.size[1]) ? input.size : 0);
  writeOctal(ustar, Field.mtime, fitsOctal(input.mtime, Field.mtime[1]) ? input.mtime : 0);
  ustar.write(TYPEFLAG_BY_TYPE[input.type], Field.typeflag[0], 'ascii');
  writeString(ustar, Field.linkname, fitsUstarString(linkTarget, Field.linkname[1]) ? linkTarget : asciiPrefix(linkTarget, Field.linkname[1]));
  ustar.write(USTAR_MAGIC, Field.magic[0], 'latin1');
  ustar.write(USTAR_VERSION, Field.version[0], 'latin1');
  writeOctal(ustar, Field.devMajor, checkedDeviceNumber(input.devMajor ?? 0, input.name));
  writeOctal(ustar, Field.devMinor, checkedDeviceNumber(input.devMinor ?? 0, input.name));
  writeChecksum(ustar);

  if (records.length === 0) return ustar;
  const paxBody = encodePaxRecords(records);
  const paxHeader = Buffer.alloc(BLOCK_SIZE);
  writeString(paxHeader, Field.name, asciiPrefix(`PaxHeaders.0/${lastComponent(input.name)}`, Field.name[1]));
  writeOctal(paxHeader, Field.mode, 0o644);
  writeOctal(paxHeader, Field.uid, 0);
  writeOctal(paxHeader, Field.gid, 0);
  writeOctal(paxHeader, Field.size, paxBody.length);
  writeOctal(paxHeader, Field.mtime, 0);
  paxHeader.write(PAX_TYPEFLAG, Field.typeflag[0], 'ascii');
  paxHeader.write(USTAR_MAGIC, Field.magic[0], 'latin1');
  paxHeader.write(USTAR_VERSION, Field.version[0], 'latin1');
  writeOctal(paxHeader, Field.devMajor, 0);
  writeOctal(paxHeader, Field.devMinor, 0);
  writeChecksum(paxHeader);
  return Buffer.concat([paxHeader, paxBody, contentPadding(paxBody.length), ustar]);
}

/** PAX records `"<length> <key>=<value>\n"`; values are raw bytes, the length counts its own digits. */
export function encodePaxRecords(records: ReadonlyArray<readonly [string, Uint8Array]>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of records) {
    if (key.includes('=') || key.includes('\n')) throw new RangeError(`PAX key '${key}' contains '=' or a newline`);
    const keyBytes = Buffer.from(key, 'utf8');
    const rest = 1 + keyBytes.length + 1 + value.length + 1;
    let digits = String(rest).length;
    if (String(rest + digits).length > digits) digits++;
    const length = rest + digits;
    parts.push(Buffer.from(`${length} `, 'ascii'), keyBytes, Buffer.from('=', 'ascii'), Buffer.from(value), Buffer.from('\n', 'ascii'));
  }
  return Buffer.concat(parts);
}

function splitUstarName(name: string): { name: string; prefix: string } | undefined {
  if (!isAscii(name)) return undefined;
  if (name.length <= Field.name[1]) return { name, prefix: '' };
  if (name.length > Field.name[1] + 1 + Field.prefix[1]) return undefined;
  // The split slash must leave a prefix of at most 155 bytes and a name of at most 100; a directory's
  // trailing slash cannot be the split point.
  const searchEnd = Math.min(Field.prefix[1], name.length - 2);
  for (let i = searchEnd; i > 0; i--) {
    if (name[i] !== '/') continue;
    if (name.length - i - 1 > Field.name[1]) return undefined;
    return { prefix: name.slice(0, i), name: name.slice(i + 1) };
  }
  return undefined;
}

function fitsUstarString(value: string, width: number): boolean {
  return value.length <= width && isAscii(value);
}

function isAscii(value: string): boolean {
  return /^[\x01-\x7f]*$/.test(value);
}

/** The ASCII characters of `value`, cut to `width` bytes, for fields a PAX record overrides. */
function asciiPrefix(value: string, width: number): string {
  return value.replace(/[^\x01-\x7f]/g, '').slice(0, width);
}

function lastComponent(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/** Fits as octal digits plus a terminating NUL in a field of `width` bytes. */
function fitsOctal(value: number, width: number): boolean {
  return Number.isSafeInteger(value) && value >= 0 && value < 8 ** (width - 1);
}

function checkedDeviceNumber(value: number, name: string): number {
  if (!fitsOctal(value, Field.devMajor[1])) throw new RangeError(`device number ${value} of '${name}' does not fit a tar header`);
  return value;
}

function writeString(block: Buffer, [offset, width]: readonly [number, number], value: string): void {
  block.write(value, offset, width, 'utf8');
}

function writeOctal(block: Buffer, [offset, width]: readonly [number, number], value: number): void {
  block.write(value.toString(8).padStart(width - 1, '0'), offset, width - 1, 'ascii');
  block[offset + width - 1] = 0;
}

function writeChecksum(block: Buffer): void {
  const [offset] = Field.checksum;
  block.write(`${headerChecksum(block).toString(8).padStart(6, '0')}\0 `, offset, 8, 'ascii');
}
