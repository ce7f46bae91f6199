/**
 * One file system entry of a build context (or stage root) with the lstat metadata the builder needs.
 */
import type { BigIntStats } from 'node:fs';
import { constants } from 'node:fs';

export type ContextEntryType = 'file' | 'directory' | 'symlink' | 'character-device' | 'block-device' | 'fifo' | 'socket';

export interface ContextEntry {
  /** Root-relative posix path; `.` for the root itself. */
  readonly path: string;
  readonly type: ContextEntryType;
  /** Permission bits with setuid, setgid and sticky (`st_mode & 0o7777`). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Bytes (for a symlink: the length of its target). */
  readonly size: number;
  /** Nanoseconds since the epoch. */
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly ino: bigint;
  readonly dev: bigint;
  readonly nlink: number;
  /** Device numbers of character and block devices (0 otherwise). */
  readonly devMajor: number;
  readonly devMinor: number;
  /** The target of a symlink, as stored in it. */
  readonly linkTarget?: string;
}

const { S_IFMT, S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR, S_IFBLK, S_IFIFO } = constants;

// From the mode as a number: BigIntStats' isFile() and friends convert two constants to BigInt on every call.
function entryTypeOf(mode: number): ContextEntryType {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return 'file';
    case S_IFDIR:
      return 'directory';
    case S_IFLNK:
      return 'symlink';
    case S_IFCHR:
      return 'character-device';
    case S_IFBLK:
      return 'block-device';
    case S_IFIFO:
      return 'fifo';
    default:
      return 'socket';
  }
}

export function entryFromStats(path: string, stats: BigIntStats, linkTarget?: string): ContextEntry {
  const mode = Number(stats.mode);
  const type = entryTypeOf(mode);
  let devMajor = 0;
  let devMinor = 0;
  if (type === 'character-device' || type === 'block-device') {
    const rdev = stats.rdev;
    devMajor = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
    devMinor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  }
  const entry = {
    path,
    type,
    mode: mode & 0o7777,
    uid: Number(stats.uid),
    gid: Number(stats.gid),
    size: Number(stats.size),
    mtimeNs: stats.mtimeNs,
    ctimeNs: stats.ctimeNs,
    ino: stats.ino,
    dev: stats.dev,
    nlink: Number(stats.nlink),
    devMajor,
    devMinor,
  };
  return linkTarget === undefined ? entry : { ...entry, linkTarget };
}
