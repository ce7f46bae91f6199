/**
 * Paths inside a container's root directory, resolved the way the kernel would see them after chroot: symlinks
 * (absolute or relative) never leave the root, `..` stops at it.
 */
import { lstat, readlink } from 'node:fs/promises';
import path from 'node:path';

const MAX_SYMLINKS = 40;

/** The components of a container path, without empty and `.` ones. */
function components(containerPath: string): string[] {
  return containerPath.split('/').filter((part) => part !== '' && part !== '.');
}

/**
 * The layer-relative path (no leading slash; '' for the root) that `containerPath` names inside `root`, with
 * every existing symlink along it resolved inside the root. Missing components are kept as they are.
 */
export async function resolveInRootfs(root: string, containerPath: string): Promise<string> {
  const resolved: string[] = [];
  const pending = components(containerPath);
  let hops = 0;
  let missing = false;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    if (!missing) {
      const stats = await lstat(path.join(root, ...resolved, part)).catch(() => undefined);
      if (stats === undefined) missing = true;
      else if (stats.isSymbolicLink()) {
        if (++hops > MAX_SYMLINKS) throw Object.assign(new Error(`too many levels of symbolic links in ${containerPath}`), { code: 'ELOOP' });
        const target = await readlink(path.join(root, ...resolved, part));
        if (target.startsWith('/')) resolved.length = 0;
        pending.unshift(...components(target));
        continue;
      }
    }
    resolved.push(part);
  }
  return resolved.join('/');
}

/** Whether layer-relative `inner` is `outer` itself or below it. */
export function isWithin(inner: string, outer: string): boolean {
  return outer === '' || inner === outer || inner.startsWith(`${outer}/`);
}
