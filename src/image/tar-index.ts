import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ImageError, ImageErrorCode } from './errors.js';

/**
 * An index of an uncompressed tar file: each member's name, type and where its data lies, so that an image
 * archive can be read in place (blobs streamed from their offsets) instead of being extracted first. Understands
 * ustar (with prefix), PAX extended headers (path, linkpath, size) and GNU long names.
 */

export type TarEntryType = 'file' | 'link' | 'symlink' | 'directory' | 'other';

export interface TarEntry {
  /** Normalised: no leading `./` or `/`, no trailing `/`. */
  name: string;
  type: TarEntryType;
  /** Byte offset of the member's data in the file. */
  offset: number;
  size: number;
  /** Target of a link or symlink, as stored. */
  linkname?: string;
}

const block = 512;

/** Normalises a member name: `./a/b/` → `a/b`. */
export function normalizeTarName(name: string): string {
  const normalized = path.posix.normalize(`/${name}`).slice(1);
  return normalized.endsWith('/') ? normalized.slice(0, -1) : normalized;
}

/** Reads all member headers of `file`. Later members of the same name replace earlier ones, as extraction does. */
export async function indexTar(file: string): Promise<Map<string, TarEntry>> {
  const handle = await open(file, 'r');
  try {
    return await indexHandle(handle, file);
  } finally {
    await handle.close();
  }
}

async function indexHandle(handle: FileHandle, file: string): Promise<Map<string, TarEntry>> {
  const fail = (detail: string): never => {
    throw new ImageError(ImageErrorCode.InvalidArchive, `${file}: ${detail}`);
  };
  const { size: fileSize } = await handle.stat();
  const entries = new Map<string, TarEntry>();
  const header = Buffer.alloc(block);
  let offset = 0;
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;

  while (offset + block <= fileSize) {
    const { bytesRead } = await handle.read(header, 0, block, offset);
    if (bytesRead < block) break;
    if (header.every((byte) => byte === 0)) break;
    if (!checksumOk(header)) fail(`not a tar archive (bad header checksum at byte ${offset})`);
    const size = parseNumber(header.subarray(124, 136));
    const typeflag = String.fromCharCode(header[156] || 0x30);
    const dataOffset = offset + block;
    if (size < 0 || dataOffset + size > fileSize) fail(`truncated: member at byte ${offset} runs past the end of the file`);
    offset = dataOffset + Math.ceil(size / block) * block;

    if (typeflag === 'x' || typeflag === 'L' || typeflag === 'K') {
      const data = Buffer.alloc(size);
      await handle.read(data, 0, size, dataOffset);
      if (typeflag === 'x') pax = parsePax(data);
      else if (typeflag === 'L') longName = cString(data);
      else longLink = cString(data);
      continue;
    }
    if (typeflag === 'g') continue;

    let name = cString(header.subarray(0, 100));
    const magic = header.subarray(257, 262).toString('latin1');
    if (magic === 'ustar') {
      const prefix = cString(header.subarray(345, 500));
      if (prefix !== '') name = `${prefix}/${name}`;
    }
    name = pax.path ?? longName ?? name;
    const linkname = pax.linkpath ?? longLink ?? cString(header.subarray(157, 257));
    const realSize = pax.size !== undefined ? Number(pax.size) : size;
    if (realSize !== size) {
      // A PAX size overrides a header size field too small for it; the data follows this header.
      if (!Number.isSafeInteger(realSize) || dataOffset + realSize > fileSize) fail(`bad PAX size for ${name}`);
      offset = dataOffset + Math.ceil(realSize / block) * block;
    }
    pax = {};
    longName = undefined;
    longLink = undefined;

    const type: TarEntryType =
      typeflag === '0' || typeflag === '7' ? 'file' : typeflag === '1' ? 'link' : typeflag === '2' ? 'symlink' : typeflag === '5' ? 'directory' : 'other';
    const normalized = normalizeTarName(name);
    if (normalized === '') continue;
    const entry: TarEntry = { name: normalized, type, offset: dataOffset, size: type === 'file' ? realSize : 0 };
    if (type === 'link' || type === 'symlink') entry.linkname = linkname;
    entries.set(normalized, entry);
  }
  return entries;
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}

function parseNumber(field: Buffer): number {
  if (field[0] & 0x80) {
    // GNU base-256: big-endian, the top bit of the first byte is the marker.
    let value = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i];
    return value;
  }
  const text = field.toString('latin1').replace(/[\0 ]+$/g, '').replace(/^[\0 ]+/, '');
  return text === '' ? 0 : parseInt(text, 8);
}

function checksumOk(header: Buffer): boolean {
  const stored = parseNumber(header.subarray(148, 156));
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < block; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : header[i];
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

function parsePax(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let position = 0;
  while (position < data.length) {
    const space = data.indexOf(0x20, position);
    if (space === -1) break;
    const length = parseInt(data.subarray(position, space).toString('latin1'), 10);
    if (!Number.isSafeInteger(length) || length <= 0) break;
    const record = data.subarray(space + 1, position + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals > 0) records[record.slice(0, equals)] = record.slice(equals + 1);
    position += length;
  }
  return records;
}
