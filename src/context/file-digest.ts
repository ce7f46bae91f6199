/**
 * sha256 of one regular file's bytes, read through node:crypto in chunks. The file is opened without
 * following a symlink, and must still be the file that was listed (same inode, size and mtime, before and
 * after reading): otherwise FileChangedError, since a digest of something else would poison the cache.
 */
import type { BigIntStats } from 'node:fs';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { ContextEntry } from './entry.js';
import { ContextReadError, FileChangedError } from './errors.js';

const CHUNK = 1024 * 1024;

function sameFile(stats: BigIntStats, entry: ContextEntry): boolean {
  return stats.isFile() && stats.ino === entry.ino && stats.dev === entry.dev && Number(stats.size) === entry.size && stats.mtimeNs === entry.mtimeNs;
}

/**
 * Files up to this size are read with synchronous calls: five asynchronous calls (open, stat, read, stat, close)
 * cost the main thread far more than the read itself for a small file (thread-pool round trips), and contexts are
 * mostly small files. Larger files are read asynchronously so a big one does not stall the event loop.
 */
const SYNC_LIMIT = 256 * 1024;

/** Hex sha256 of the content of `absolutePath`, which `entry` describes (its lstat from the walk). */
export async function hashFile(absolutePath: string, entry: ContextEntry): Promise<string> {
  if (entry.size <= SYNC_LIMIT) return hashSmallFile(absolutePath, entry);
  let handle;
  try {
    handle = await open(absolutePath, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP') throw new FileChangedError(entry.path);
    throw new ContextReadError(entry.path, 'read', error);
  }
  try {
    if (!sameFile(await handle.stat({ bigint: true }), entry)) throw new FileChangedError(entry.path);
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(entry.size, 1)));
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      total += bytesRead;
    }
    if (total !== entry.size || !sameFile(await handle.stat({ bigint: true }), entry)) throw new FileChangedError(entry.path);
    return hash.digest('hex');
  } catch (error) {
    if (error instanceof FileChangedError) throw error;
    throw new ContextReadError(entry.path, 'read', error);
  } finally {
    await handle.close();
  }
}

function hashSmallFile(absolutePath: string, entry: ContextEntry): string {
  let fd: number;
  try {
    fd = openSync(absolutePath, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP') throw new FileChangedError(entry.path);
    throw new ContextReadError(entry.path, 'read', error);
  }
  try {
    if (!sameFile(fstatSync(fd, { bigint: true }), entry)) throw new FileChangedError(entry.path);
    // One byte more than expected, so that a file that grew is noticed by the read as well as by the stat.
    const buffer = Buffer.allocUnsafe(entry.size + 1);
    let total = 0;
    for (;;) {
      const bytesRead = readSync(fd, buffer, total, buffer.length - total, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total === buffer.length) break;
    }
    if (total !== entry.size || !sameFile(fstatSync(fd, { bigint: true }), entry)) throw new FileChangedError(entry.path);
    return createHash('sha256').update(buffer.subarray(0, total)).digest('hex');
  } catch (error) {
    if (error instanceof FileChangedError) throw error;
    throw new ContextReadError(entry.path, 'read', error);
  } finally {
    closeSync(fd);
  }
}
