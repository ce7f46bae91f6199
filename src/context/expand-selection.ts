/**
 * What a COPY/ADD of selected sources copies: a file or followed symlink is itself; a directory is itself
 * (its metadata) plus every entry below it that .dockerignore keeps, symlinks inside it listed as symlinks.
 */
import type { ContextEntry } from './entry.js';
import { relativeTo } from './paths.js';
import type { Excludes } from './root-view.js';
import { RootView } from './root-view.js';
import type { SelectedSource } from './select-sources.js';

export interface ExpandedEntry {
  /** Path below the selected source, `.` for the source itself: where it lands under the destination. */
  readonly relative: string;
  /** The entry on disk (`entry.path` is its root-relative location). */
  readonly entry: ContextEntry;
}

export interface ExpandedSource {
  readonly source: SelectedSource;
  /** In tree order, the source itself first. */
  readonly entries: readonly ExpandedEntry[];
}

export interface ExpandOptions {
  /** The .dockerignore rules the sources were selected with. */
  readonly excludes?: Excludes;
  /** Kept for compatibility: must be a positive integer (default 64); the walk makes its file system calls one at a time. */
  readonly concurrency?: number;
}

export function expandWithView(view: RootView, sources: readonly SelectedSource[]): ExpandedSource[] {
  return sources.map((source): ExpandedSource => {
    const entries: ExpandedEntry[] = [{ relative: '.', entry: source.entry }];
    if (source.entry.type === 'directory') {
      for (const entry of view.subtree(source.resolvedPath)) entries.push({ relative: relativeTo(source.resolvedPath, entry.path) ?? entry.path, entry });
    }
    return { source, entries };
  });
}

export async function expandSelection(root: string, sources: readonly SelectedSource[], options: ExpandOptions = {}): Promise<ExpandedSource[]> {
  const view = await RootView.open(root, options.excludes, options.concurrency);
  return expandWithView(view, sources);
}
