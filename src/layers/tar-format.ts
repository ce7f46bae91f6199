/**
 * Constants and shapes of the POSIX tar (ustar + PAX) format shared by the header encoder and the reader.
 */

export const BLOCK_SIZE = 512;

export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'character-device' | 'block-device' | 'directory' | 'fifo';

export const TYPEFLAG_BY_TYPE: Readonly<Record<TarEntryType, string>> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  'character-device': '3',
  'block-device': '4',
  directory: '5',
  fifo: '6',
};

export const PAX_TYPEFLAG = 'x';
export const PAX_GLOBAL_TYPEFLAG = 'g';
export const GNU_LONG_NAME_TYPEFLAG = 'L';
export const GNU_LONG_LINK_TYPEFLAG = 'K';

/** PAX record key prefix for extended attributes, as written by GNU tar, Go and containerd. */
export const PAX_XATTR_PREFIX = 'SCHILY.xattr.';

/** One tar entry's metadata, with PAX and GNU extensions already applied. */
export interface TarEntryHeader {
  /** The name as stored (directories may end with '/'). */
  readonly name: string;
  readonly type: TarEntryType;
  /** Permission bits including setuid, setgid and sticky. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Bytes of content that follow the header (regular files only). */
  readonly size: number;
  /** Seconds since the epoch; PAX may give fractions. */
  readonly mtime: number;
  /** Symlink target or hardlink target name; empty otherwise. */
  readonly linkTarget: string;
  readonly devMajor: number;
  readonly devMinor: number;
  readonly xattrs: ReadonlyMap<string, Buffer>;
}

/** Header field offsets and widths of the ustar format. */
export const Field = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  checksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  devMajor: [329, 8],
  devMinor: [337, 8],
  prefix: [345, 155],
} as const satisfies Record<string, readonly [number, number]>;

export const USTAR_MAGIC = 'ustar\0';
export const USTAR_VERSION = '00';

/** Sum of the header bytes with the checksum field counted as spaces. */
export function headerChecksum(block: Uint8Array): number {
  let sum = 0;
  const [start, width] = Field.checksum;
  for (let i = 0; i < BLOCK_SIZE; i++) sum += i >= start && i < start + width ? 0x20 : block[i];
  return sum;
}

export function paddingLength(size: number): number {
  const remainder = size % BLOCK_SIZE;
  return remainder === 0 ? 0 : BLOCK_SIZE - remainder;
}
