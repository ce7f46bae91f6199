/**
 * Resolves a path inside a root directory the way securejoin (and so BuildKit and containerd) does: component
 * by component, following symlinks but reading every symlink target, absolute or relative, against the root,
 * and never climbing above it. The result is always inside the root.
 */
import { lstatSync, type Stats } from 'node:fs';
import { readlink } from 'node:fs/promises';
import path from 'node:path';
import { SymlinkLoopError } from './errors.js';

const MAX_SYMLINKS = 255;

/**
 * The real location of `unsafePath` under `root` (an absolute, symlink-free directory path). Components that
 * do not exist are appended as they are. Every symlink on the way is followed, including a final one.
 */
export async function resolveInRoot(root: string, unsafePath: string): Promise<string> {
  const resolved: string[] = [];
  const pending = unsafePath.split('/').reverse();
  let symlinksFollowed = 0;

  while (pending.length > 0) {
    const component = pending.pop()!;
    if (component === '' || component === '.') continue;
    if (component === '..') {
      resolved.pop();
      continue;
    }
    const candidate = path.join(root, ...resolved, component);
    const stat = await lstatOrUndefined(candidate);
    if (stat?.isSymbolicLink()) {
      if (++symlinksFollowed > MAX_SYMLINKS) throw new SymlinkLoopError(unsafePath);
      const target = await readlink(candidate);
      if (target.startsWith('/')) resolved.length = 0;
      pending.push(...target.split('/').reverse());
      continue;
    }
    resolved.push(component);
  }
  return path.join(root, ...resolved);
}

/** lstat, or undefined when the path (or a parent) does not exist. */
export async function lstatOrUndefined(file: string): Promise<Stats | undefined> {
  // Synchronous on purpose: one lstat takes microseconds, a thread-pool round trip about 100 µs, and layers are
  // applied and walked an entry at a time.
  try {
    return lstatSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}
