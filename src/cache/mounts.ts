import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** mountinfo escapes space, tab, newline and backslash in paths as three octal digits. */
function unescapeMountPath(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

function isWithin(entry: string, dir: string): boolean {
  return entry === dir || entry.startsWith(`${dir}/`);
}

/** The mount points of this process's mount namespace at or below `dir`, deepest first. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const root = path.resolve(dir);
  const found: string[] = [];
  for (const line of text.split('\n')) {
    const field = line.split(' ')[4];
    if (field === undefined) continue;
    const mountPoint = unescapeMountPath(field);
    if (isWithin(mountPoint, root)) found.push(mountPoint);
  }
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
