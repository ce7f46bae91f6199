import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseMountinfo } from '../files/index.js';

const execFileAsync = promisify(execFile);

function isWithin(entry: string, dir: string): boolean {
  return entry === dir || entry.startsWith(`${dir}/`);
}

/** The mount points of this process's mount namespace at or below `dir`, deepest first. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const root = path.resolve(dir);
  const found = parseMountinfo()
    .map((mount) => mount.mountPoint)
    .filter((mountPoint) => isWithin(mountPoint, root));
  return found.sort((a, b) => b.length - a.length);
}

/** Unmounts `target` (lazily when busy); false when it cannot be unmounted (no privilege, no umount). */
export async function unmountLeftover(target: string): Promise<boolean> {
  for (const args of [[target], ['-l', target]]) {
    try {
      await execFileAsync('umount', args);
      return true;
    } catch {
      // try the next way
    }
  }
  return !(await mountsUnder(target)).includes(path.resolve(target));
}
