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
  /** File system operations in flight while expanding directories (default 64). */
  readonly concurrency?: number;
}

/** `sha256:<hex>` of the selection (see the module comment for what it covers). */
export async function digestSelection(root: string, sources: readonly SelectedSource[], options: DigestSelectionOptions = {}): Promise<string> {
  const view = await RootView.open(root, options.excludes, options.concurrency);
  return digestWithView(view, await expandWithView(view, sources), options);
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
  // fraction of the calls (16 per entry otherwise).
  let pending = '';
  const field = (value: string | number): void => {
    pending += `${value}\0`;
    if (pending.length >= 65536) {
      hash.update(pending);
      pending = '';
    }
  };
  field(FORMAT);
  for (const { source, entries } of expanded) {
    field('source');
    field(source.path);
    field(entries.length);
    for (const { relative, entry } of entries) {
      field(relative);
      field(entry.type);
      field(entry.mode.toString(8));
      field(entry.uid);
      field(entry.gid);
      field(entry.linkTarget ?? '');
      field(entry.type === 'character-device' || entry.type === 'block-device' ? `${entry.devMajor}:${entry.devMinor}` : '');
      field(entry.type === 'file' ? (contents.get(entry.path) ?? '') : '');
    }
  }
  hash.update(pending);
  return `sha256:${hash.digest('hex')}`;
}

/** sha256 hex of every file's content, by root-relative path. */
async function contentDigests(view: RootView, expanded: readonly ExpandedSource[], options: DigestSelectionOptions): Promise<Map<string, string>> {
  const files = new Map<string, ExpandedSource['entries'][number]['entry']>();
  for (const { entries } of expanded) {
    for (const { entry } of entries) if (entry.type === 'file') files.set(entry.path, entry);
  }
  const limiter = new Limiter(options.readConcurrency ?? DEFAULT_READ_CONCURRENCY);
  const cache = options.cache;
  const digests = new Map<string, string>();
  await Promise.all(
    [...files.values()].map(async (entry) => {
      const absolute = view.absolute(entry.path);
      const remembered = cache?.lookup(absolute, entry);
      if (remembered !== undefined) {
        digests.set(entry.path, remembered);
        return;
      }
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
