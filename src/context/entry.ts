/**
 * One file system entry of a build context (or stage root) with the lstat metadata the builder needs.
 */
import type { BigIntStats } from 'node:fs';

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

function entryTypeOf(stats: BigIntStats): ContextEntryType {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isCharacterDevice()) return 'character-device';
  if (stats.isBlockDevice()) return 'block-device';
  if (stats.isFIFO()) return 'fifo';
  return 'socket';
}

export function entryFromStats(path: string, stats: BigIntStats, linkTarget?: string): ContextEntry {
  const rdev = stats.rdev;
  const type = entryTypeOf(stats);
  const device = type === 'character-device' || type === 'block-device';
  return {
    path,
    type,
    mode: Number(stats.mode & 0o7777n),
    uid: Number(stats.uid),
    gid: Number(stats.gid),
    size: Number(stats.size),
    mtimeNs: stats.mtimeNs,
    ctimeNs: stats.ctimeNs,
    ino: stats.ino,
    dev: stats.dev,
    nlink: Number(stats.nlink),
    devMajor: device ? Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn)) : 0,
    devMinor: device ? Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn)) : 0,
    ...(linkTarget !== undefined ? { linkTarget } : {}),
  };
}

