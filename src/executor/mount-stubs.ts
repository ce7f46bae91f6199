/**
 * Mount targets missing from the rootfs are created before a run as empty files or directories ("stubs") and
 * removed after it, their parents' mtimes restored, so they never reach the layer (as BuildKit does). The
 * executor creates them itself, rather than letting the runtime do it, to know exactly what it added.
 */
import { lstat, mkdir, readdir, rmdir, unlink, utimes, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export type StubType = 'file' | 'directory';

export interface MountStubs {
  /** Layer-relative paths created, parents before children. */
  readonly created: readonly { readonly path: string; readonly type: StubType }[];
  /** Existing directories a stub was created in, with their times before that. */
  readonly parents: readonly { readonly path: string; readonly atimeNs: bigint; readonly mtimeNs: bigint }[];
}

export class MountStubRecorder {
  private readonly created: { path: string; type: StubType }[] = [];
  private readonly parents = new Map<string, { path: string; atimeNs: bigint; mtimeNs: bigint }>();

  constructor(private readonly root: string) {}

  /**
   * Makes layer-relative `target` exist as `type`, creating missing parents as 0755 directories. Where a file
   * sits in the way of a needed directory it stops: the mount then fails with the runtime's own message.
   */
  async ensure(target: string, type: StubType): Promise<void> {
    const parts = target.split('/').filter(Boolean);
    for (let depth = 1; depth <= parts.length; depth++) {
      const relative = parts.slice(0, depth).join('/');
      const absolute = path.join(this.root, relative);
      const stats = await lstat(absolute).catch(() => undefined);
      if (stats !== undefined) {
        if (!stats.isDirectory() && depth < parts.length) return;
        continue;
      }
      await this.rememberParent(parts.slice(0, depth - 1).join('/'));
      const last = depth === parts.length;
      if (last && type === 'file') await writeFile(absolute, '', { mode: 0o644, flag: 'wx' });
      else await mkdir(absolute, { mode: 0o755 });
      this.created.push({ path: relative, type: last ? type : 'directory' });
    }
  }

  private async rememberParent(relative: string): Promise<void> {
    if (this.parents.has(relative) || this.created.some((stub) => stub.path === relative)) return;
    const stats = await lstat(path.join(this.root, relative), { bigint: true });
    this.parents.set(relative, { path: relative, atimeNs: stats.atimeNs, mtimeNs: stats.mtimeNs });
  }

  stubs(): MountStubs {
    return { created: [...this.created], parents: [...this.parents.values()] };
  }
}

/**
 * Removes the stubs that are still empty (children first) and restores their parents' times. Returns the
 * layer-relative paths that could not be removed (still busy, or the process put something in them).
 */
export async function removeMountStubs(root: string, stubs: MountStubs): Promise<string[]> {
  const leftover: string[] = [];
  for (const stub of [...stubs.created].reverse()) {
    const absolute = path.join(root, stub.path);
    try {
      const stats = await lstat(absolute);
      if (stub.type === 'directory' && stats.isDirectory() && (await readdir(absolute)).length === 0) await rmdir(absolute);
      else if (stub.type === 'file' && stats.isFile() && stats.size === 0) await unlink(absolute);
      else leftover.push(stub.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') leftover.push(stub.path);
    }
  }
  for (const parent of stubs.parents) await restoreTimes(path.join(root, parent.path), parent.atimeNs, parent.mtimeNs).catch(() => undefined);
  return leftover;
}

const NS_PER_SECOND = 1_000_000_000n;

/** Node's utimes takes doubles, which lose nanoseconds; whole seconds (as tar-extracted trees have) are exact. */
async function restoreTimes(file: string, atimeNs: bigint, mtimeNs: bigint): Promise<void> {
  if (atimeNs % NS_PER_SECOND === 0n && mtimeNs % NS_PER_SECOND === 0n) {
    await utimes(file, Number(atimeNs / NS_PER_SECOND), Number(mtimeNs / NS_PER_SECOND));
    return;
  }
  await execFileAsync('touch', ['-h', '-a', '-d', `@${timestamp(atimeNs)}`, file]);
  await execFileAsync('touch', ['-h', '-m', '-d', `@${timestamp(mtimeNs)}`, file]);
}

function timestamp(ns: bigint): string {
  return `${ns / NS_PER_SECOND}.${(ns % NS_PER_SECOND).toString().padStart(9, '0')}`;
}
