import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync, renameSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';

export interface ReplaceFileOptions {
  /** Where the content is written before the rename (default: a unique name beside `file`). It must not exist. */
  temp?: string;
  /** Permission bits of the new file (default: 0o666 less the umask, as for any new file). */
  mode?: number;
}

/** The temporary path was someone else's file: it must be left alone. */
function isTakenTemp(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'EEXIST' && (error as NodeJS.ErrnoException).syscall === 'open';
}

function tempBeside(file: string): string {
  return `${file}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
}

/**
 * Writes `data` as the whole of `file`: into a temporary file first, then renamed over it, so that a reader (or a
 * crash) sees the old content or the new, never part of one. The temporary file is removed when anything fails.
 */
export async function replaceFile(file: string, data: string | Uint8Array, options: ReplaceFileOptions = {}): Promise<void> {
  const temp = options.temp ?? tempBeside(file);
  try {
    await writeFile(temp, data, { flag: 'wx', mode: options.mode });
    await rename(temp, file);
  } catch (error) {
    if (!isTakenTemp(error)) await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** replaceFile, synchronously (for small files written on a path that must not wait on the thread pool). */
export function replaceFileSync(file: string, data: string | Uint8Array, options: ReplaceFileOptions = {}): void {
  const temp = options.temp ?? tempBeside(file);
  try {
    writeFileSync(temp, data, { flag: 'wx', mode: options.mode });
    renameSync(temp, file);
  } catch (error) {
    try {
      if (!isTakenTemp(error)) rmSync(temp, { force: true });
    } catch {
      // The error that matters is the first one.
    }
    throw error;
  }
}
