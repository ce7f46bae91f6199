import { chmodSync, chownSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FileChangedError,
  FileDigestCache,
  digestExpanded,
  digestSelection,
  expandSelection,
  selectSources,
  type SelectSourcesOptions,
} from '../../src/context/index.js';
import { makeTree, tempDir } from './fixtures.js';

const OLD = new Date('2020-01-02T03:04:05Z');

/** A context whose files all have an old, fixed mtime. */
function context(): string {
  const root = makeTree({ 'app/main.js': 'console.log(1)\n', 'app/lib/util.js': 'export {}\n', 'app/link': { symlink: 'main.js' }, 'top.txt': 'top' });
  for (const file of ['app/main.js', 'app/lib/util.js', 'top.txt']) utimesSync(path.join(root, file), OLD, OLD);
  return root;
}

async function digestOf(root: string, source: string, options: SelectSourcesOptions & { cache?: FileDigestCache } = {}): Promise<string> {
  const selected = await selectSources(root, source, options);
  return digestSelection(root, selected, options);
}

describe('digestSelection', () => {
  it('is a sha256 that is stable across runs and equal for equal trees', async () => {
    const a = await digestOf(context(), 'app');
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await digestOf(context(), 'app')).toBe(a);
  });

  it('does not change when only mtimes change', async () => {
    const root = context();
    const before = await digestOf(root, 'app');
    const later = new Date('2024-05-06T07:08:09Z');
    utimesSync(path.join(root, 'app/main.js'), later, later);
    utimesSync(path.join(root, 'app'), later, later);
    expect(await digestOf(root, 'app')).toBe(before);
  });

  it('changes when one byte changes', async () => {
    const root = context();
    const before = await digestOf(root, 'app');
    writeFileSync(path.join(root, 'app/lib/util.js'), 'export {}\r');
    expect(await digestOf(root, 'app')).not.toBe(before);
  });

  it('changes when a permission bit changes, on a file or a directory', async () => {
    const root = context();
    const before = await digestOf(root, 'app');
    chmodSync(path.join(root, 'app/main.js'), 0o755);
    const afterFile = await digestOf(root, 'app');
    expect(afterFile).not.toBe(before);
    chmodSync(path.join(root, 'app/lib'), 0o700);
    expect(await digestOf(root, 'app')).not.toBe(afterFile);
  });

  it('changes when a file is renamed', async () => {
    const root = context();
    const before = await digestOf(root, 'app');
    renameSync(path.join(root, 'app/lib/util.js'), path.join(root, 'app/lib/utils.js'));
    expect(await digestOf(root, 'app')).not.toBe(before);
  });

  it('changes when the owner changes', async () => {
    if (process.getuid?.() !== 0) return; // only root can chown
    const root = context();
    const before = await digestOf(root, 'app');
    chownSync(path.join(root, 'app/main.js'), 1234, 0);
    const afterUid = await digestOf(root, 'app');
    expect(afterUid).not.toBe(before);
    chownSync(path.join(root, 'app/main.js'), 1234, 4321);
    expect(await digestOf(root, 'app')).not.toBe(afterUid);
  });

  it('changes when a symlink target changes', async () => {
    const root = context();
    const before = await digestOf(root, 'app');
    rmSync(path.join(root, 'app/link'));
    symlinkSync('lib/util.js', path.join(root, 'app/link'));
    expect(await digestOf(root, 'app')).not.toBe(before);
  });

  it('covers exactly the selection: files outside it or excluded do not count', async () => {
    const root = context();
    const excludes = ['app/lib'];
    const before = await digestOf(root, 'app', { excludes });
    writeFileSync(path.join(root, 'top.txt'), 'changed');
    writeFileSync(path.join(root, 'app/lib/util.js'), 'changed');
    writeFileSync(path.join(root, 'app/lib/new.js'), 'new');
    expect(await digestOf(root, 'app', { excludes })).toBe(before);
    writeFileSync(path.join(root, 'app/new.js'), 'new');
    expect(await digestOf(root, 'app', { excludes })).not.toBe(before);
  });

  it('depends on the selected names (a followed symlink is named after the link)', async () => {
    const root = context();
    expect(await digestOf(root, 'app/link')).not.toBe(await digestOf(root, 'app/main.js'));
    const both = await selectSources(root, 'app/*.js');
    expect(await digestSelection(root, both)).toBe(await digestOf(root, 'app/*.js'));
  });

  it('gives the same digest from an expansion', async () => {
    const root = context();
    const selected = await selectSources(root, 'app');
    const expanded = await expandSelection(root, selected);
    expect(await digestExpanded(root, expanded)).toBe(await digestSelection(root, selected));
  });

  it('refuses a file that no longer matches what was listed', async () => {
    const root = context();
    const selected = await selectSources(root, 'top.txt');
    writeFileSync(path.join(root, 'top.txt'), 'a longer content than before');
    await expect(digestSelection(root, selected)).rejects.toBeInstanceOf(FileChangedError);
  });
});

describe('digestSelection with a FileDigestCache', () => {
  it('does not re-read an unchanged file: same-size content with a restored mtime keeps the remembered digest', async () => {
    const root = context();
    const cacheDir = tempDir('digest-cache');
    const cache = await FileDigestCache.open(cacheDir);
    const first = await digestOf(root, 'app', { cache });
    expect(cache.size).toBe(2);

    const file = path.join(root, 'app/main.js');
    writeFileSync(file, 'console.log(2)\n'); // same size
    utimesSync(file, OLD, OLD);
    // The memo answers for the file, so its new bytes are not read: the digest is still the old one ...
    expect(await digestOf(root, 'app', { cache })).toBe(first);
    // ... while without the memo the change is seen.
    const uncached = await digestOf(root, 'app');
    expect(uncached).not.toBe(first);

    // Touching the mtime invalidates the remembered digest.
    const touched = new Date('2021-01-01T00:00:00Z');
    utimesSync(file, touched, touched);
    expect(await digestOf(root, 'app', { cache })).toBe(uncached);
  });

  it('persists across processes: saved atomically, loaded once', async () => {
    const root = context();
    const cacheDir = tempDir('digest-cache');
    const cache = await FileDigestCache.open(cacheDir);
    const first = await digestOf(root, 'top.txt', { cache });
    await cache.save();
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(cacheDir)).toEqual(['context-file-digests.json']);

    writeFileSync(path.join(root, 'top.txt'), 'TOP');
    utimesSync(path.join(root, 'top.txt'), OLD, OLD);
    const reopened = await FileDigestCache.open(cacheDir);
    expect(reopened.size).toBe(1);
    expect(await digestOf(root, 'top.txt', { cache: reopened })).toBe(first);
  });

  it('does not trust a digest of a file modified just before it was hashed', async () => {
    const root = makeTree({ 'fresh.txt': 'aaaa' });
    const file = path.join(root, 'fresh.txt');
    const cache = await FileDigestCache.open(tempDir('digest-cache'));
    const first = await digestOf(root, 'fresh.txt', { cache });
    const { statSync } = await import('node:fs');
    const { mtime } = statSync(file);
    writeFileSync(file, 'bbbb');
    utimesSync(file, mtime, mtime);
    expect(await digestOf(root, 'fresh.txt', { cache })).not.toBe(first);
  });

  it('ignores a corrupt cache file and replaces it', async () => {
    const root = context();
    const cacheDir = tempDir('digest-cache');
    writeFileSync(path.join(cacheDir, 'context-file-digests.json'), '{not json');
    const cache = await FileDigestCache.open(cacheDir);
    expect(cache.size).toBe(0);
    await digestOf(root, 'top.txt', { cache });
    await cache.save();
    expect((await FileDigestCache.open(cacheDir)).size).toBe(1);
  });
});
