/**
 * The content digest of a COPY/ADD selection, for cache keys: sha256 over exactly what would be copied.
 *
 * For each selected source, in the order given: its path, then each entry it expands to in tree order with
 * its path below the source, type, permission bits (with setuid/setgid/sticky), uid, gid, symlink target,
 * device numbers and, for files, the sha256 of the content. Never mtime, ctime, inode or size on its own.
 * Fields are NUL-separated (no path or link target can hold a NUL), so the encoding is unambiguous.
 *
 * File contents are hashed a few at a time; with a FileDigestCache unchanged files are not read again.
 */
import { createHash } from 'node:crypto';
import type { FileDigestCache } from './digest-cache.js';
import { nowNs } from './digest-cache.js';
import type { ContextEntry } from './entry.js';
import type { ExpandedSource } from './expand-selection.js';
import { expandWithView } from './expand-selection.js';
import { hashFile } from './file-digest.js';
import { DEFAULT_READ_CONCURRENCY, Limiter } from './limiter.js';
import type { Excludes } from './root-view.js';
import { RootView } from './root-view.js';
import type { SelectedSource } from './select-sources.js';

const FORMAT = 'build-image context selection v1';

export interface DigestSelectionOptions {
  /** The .dockerignore rules the sources were selected with. */
  readonly excludes?: Excludes;
  /** Memo of file digests; call its `save()` once the build is done. */
  readonly cache?: FileDigestCache;
  /** Files read at once (default 8). */
  readonly readConcurrency?: number;
  /** Kept for compatibility: must be a positive integer (default 64); the walk makes its file system calls one at a time. */
  readonly concurrency?: number;
}

/** `sha256:<hex>` of the selection (see the module comment for what it covers). */
export async function digestSelection(root: string, sources: readonly SelectedSource[], options: DigestSelectionOptions = {}): Promise<string> {
  const view = await RootView.open(root, options.excludes, options.concurrency);
  return digestWithView(view, expandWithView(view, sources), options);
}

/** The same digest for sources already expanded with expandSelection (from the same root). */
export async function digestExpanded(root: string, expanded: readonly ExpandedSource[], options: DigestSelectionOptions = {}): Promise<string> {
  const view = await RootView.open(root, undefined, options.concurrency);
  return digestWithView(view, expanded, options);
}

async function digestWithView(view: RootView, expanded: readonly ExpandedSource[], options: DigestSelectionOptions): Promise<string> {
  const contents = await contentDigests(view, expanded, options);
  const hash = createHash('sha256');
  // Fields are gathered into one string and hashed in batches: the same bytes as one update per field, with a
  // fraction of the calls (one string per entry).
  let pending = `${FORMAT}\0`;
  for (const { source, entries } of expanded) {
    pending += `source\0${source.path}\0${entries.length}\0`;
    for (const { relative, entry } of entries) {
      const device = entry.type === 'character-device' || entry.type === 'block-device' ? `${entry.devMajor}:${entry.devMinor}` : '';
      const content = entry.type === 'file' ? (contents.get(entry.path) ?? '') : '';
      pending += `${relative}\0${entry.type}\0${entry.mode.toString(8)}\0${entry.uid}\0${entry.gid}\0${entry.linkTarget ?? ''}\0${device}\0${content}\0`;
      if (pending.length >= 65536) {
        hash.update(pending);
        pending = '';
      }
    }
  }
  hash.update(pending);
  return `sha256:${hash.digest('hex')}`;
}

/** sha256 hex of every file's content, by root-relative path. */
async function contentDigests(view: RootView, expanded: readonly ExpandedSource[], options: DigestSelectionOptions): Promise<Map<string, string>> {
  const files = new Map<string, ContextEntry>();
  for (const { entries } of expanded) {
    for (const { entry } of entries) if (entry.type === 'file') files.set(entry.path, entry);
  }
  const limiter = new Limiter(options.readConcurrency ?? DEFAULT_READ_CONCURRENCY);
  const cache = options.cache;
  const digests = new Map<string, string>();
  // Remembered digests are taken synchronously; only the files to read go through the limiter.
  const misses: ContextEntry[] = [];
  for (const entry of files.values()) {
    const remembered = cache?.lookup(view.absolute(entry.path), entry);
    if (remembered === undefined) misses.push(entry);
    else digests.set(entry.path, remembered);
  }
  await Promise.all(
    misses.map(async (entry) => {
      const absolute = view.absolute(entry.path);
      const digest = await limiter.run(async () => {
        const startedNs = nowNs();
        const hex = await hashFile(absolute, entry);
        cache?.store(absolute, entry, hex, startedNs);
        return hex;
      });
      digests.set(entry.path, digest);
    }),
  );
  return digests;
}
