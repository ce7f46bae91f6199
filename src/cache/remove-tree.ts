import { chmod, lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Removes a file or directory tree, also when it holds directories without write permission (an unpacked rootfs
 * may have 0555 directories, which stop a non-root `rm -r`): on EACCES/EPERM it makes directories writable and
 * tries again.
 */
export async function removeTree(target: string): Promise<void> {
  try {
    await rm(target, { recursive: true, force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM' && code !== 'ENOTEMPTY') throw error;
    await makeWritable(target);
    await rm(target, { recursive: true, force: true });
  }
}

async function makeWritable(target: string): Promise<void> {
  const info = await lstat(target).catch(() => undefined);
  if (!info?.isDirectory()) return;
  await chmod(target, (info.mode & 0o7777) | 0o700).catch(() => undefined);
  const entries = await readdir(target).catch(() => [] as string[]);
  for (const entry of entries) await makeWritable(path.join(target, entry));
}
