/**
 * Resolving a root-relative path component by component inside a RootView, following symlinks the way
 * BuildKit does for COPY sources (`filepath-securejoin` style: a symlink's target is looked up from the
 * link's directory, `..` goes to the real parent of what was resolved so far).
 *
 * Where a followed link leads out of the root (an absolute target, or `..` above the root) the policy decides:
 * `error` refuses with SymlinkEscapeError (the default for a build context: the host path the link names is not
 * part of the build); `scoped` resolves it inside the root as if the root were `/` (BuildKit's behaviour,
 * right for a stage's root file system whose absolute links mean paths in that file system).
 */
import type { ContextEntry } from './entry.js';
import { SymlinkEscapeError, SymlinkLoopError } from './errors.js';
import type { RootView } from './root-view.js';

export type SymlinkPolicy = 'error' | 'scoped';

/** Linux's limit on symlinks followed in one lookup (BuildKit uses the same). */
const MAX_SYMLINKS = 255;

export type Resolution =
  | { readonly found: true; readonly path: string; readonly entry: ContextEntry }
  | { readonly found: false; readonly reason: 'not found' | 'not a directory' };

export interface ResolveOptions {
  /** Follow the last component too when it is a symlink. */
  readonly followFinal: boolean;
  readonly policy: SymlinkPolicy;
}

export function resolveInRoot(view: RootView, rel: string, options: ResolveOptions): Resolution {
  let pending = rel === '.' ? [] : rel.split('/');
  const current: string[] = [];
  const entries: ContextEntry[] = [];
  let followed = 0;
  let lastLink: { path: string; target: string } | undefined;

  while (pending.length > 0) {
    const part = pending[0];
    pending = pending.slice(1);
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (current.length > 0) {
        current.pop();
        entries.pop();
      } else if (lastLink && options.policy === 'error') {
        throw new SymlinkEscapeError(lastLink.path, lastLink.target);
      }
      continue;
    }
    const next = current.length === 0 ? part : `${current.join('/')}/${part}`;
    const found = view.entry(next);
    if (!found) return { found: false, reason: 'not found' };
    if (found.type === 'symlink' && (pending.length > 0 || options.followFinal)) {
      followed++;
      if (followed > MAX_SYMLINKS) throw new SymlinkLoopError(rel);
      const target = found.linkTarget ?? '';
      lastLink = { path: next, target };
      if (target.startsWith('/')) {
        if (options.policy === 'error') throw new SymlinkEscapeError(next, target);
        current.length = 0;
        entries.length = 0;
      }
      pending = [...target.split('/'), ...pending];
      continue;
    }
    if (pending.length > 0 && found.type !== 'directory') return { found: false, reason: 'not a directory' };
    current.push(part);
    entries.push(found);
  }
  const entry = entries.length === 0 ? view.rootEntry : entries[entries.length - 1];
  return { found: true, path: current.length === 0 ? '.' : current.join('/'), entry };
}
