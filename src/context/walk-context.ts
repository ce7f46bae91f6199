/**
 * The build context as BuildKit receives it: every file, directory, symlink (and special file) below the
 * root that .dockerignore keeps, with lstat metadata, in tree order. Symlinks are listed, never followed, so
 * the walk cannot leave the root.
 */
import type { ContextEntry } from './entry.js';
import type { Excludes } from './root-view.js';
import { RootView } from './root-view.js';

export interface WalkContextOptions {
  /** .dockerignore rules (a compiled matcher or pattern lines). */
  readonly excludes?: Excludes;
  /** Docker never follows symlinks in a context; only `false` is supported. */
  readonly followSymlinks?: false;
  /** Kept for compatibility: must be a positive integer (default 64); the walk makes its file system calls one at a time. */
  readonly concurrency?: number;
}

/** Entries below `root` (the root itself left out), paths posix and root-relative, in tree order. */
export async function walkContext(root: string, options: WalkContextOptions = {}): Promise<ContextEntry[]> {
  if (options.followSymlinks !== undefined && options.followSymlinks !== false) {
    throw new TypeError('walkContext never follows symlinks (Docker sends them as links); pass followSymlinks: false or leave it out');
  }
  const view = await RootView.open(root, options.excludes, options.concurrency);
  return view.subtree('.');
}
