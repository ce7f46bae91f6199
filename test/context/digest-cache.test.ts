import { existsSync, lstatSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileDigestCache } from '../../src/context/index.js';
import { entryFromStats } from '../../src/context/entry.js';
import { makeTree, tempDir } from './fixtures.js';

const HEX = 'a'.repeat(64);
const LATER = 10n ** 19n; // hashed long after any test file's mtime

function fileEntry() {
  const root = makeTree({ f: 'content' });
  const old = new Date('2020-01-01T00:00:00Z');
  utimesSync(path.join(root, 'f'), old, old);
  const file = path.join(root, 'f');
  return { file, entry: entryFromStats('f', lstatSync(file, { bigint: true })) };
}

describe('FileDigestCache', () => {
  it('answers only while size, mtime, inode and device are unchanged', async () => {
    const cache = await FileDigestCache.open(tempDir('memo'));
    const { file, entry } = fileEntry();
    cache.store(file, entry, HEX, LATER);
    expect(cache.lookup(file, entry)).toBe(HEX);
    expect(cache.lookup(file, { ...entry, size: entry.size + 1 })).toBeUndefined();
    expect(cache.lookup(file, { ...entry, mtimeNs: entry.mtimeNs + 1n })).toBeUndefined();
    expect(cache.lookup(file, { ...entry, ino: entry.ino + 1n })).toBeUndefined();
    expect(cache.lookup(file, { ...entry, dev: entry.dev + 1n })).toBeUndefined();
    expect(cache.lookup(`${file}x`, entry)).toBeUndefined();
    // The change time and the mode are not part of the key (as in Docker's context sync).
    expect(cache.lookup(file, { ...entry, ctimeNs: entry.ctimeNs + 1n, mode: 0o600 })).toBe(HEX);
  });

  it('does not trust a digest taken within two seconds of the mtime', async () => {
    const cache = await FileDigestCache.open(tempDir('memo'));
    const { file, entry } = fileEntry();
    cache.store(file, entry, HEX, entry.mtimeNs + 1_000_000_000n);
    expect(cache.lookup(file, entry)).toBeUndefined();
    cache.store(file, entry, HEX, entry.mtimeNs + 3_000_000_000n);
    expect(cache.lookup(file, entry)).toBe(HEX);
  });

  it('writes nothing until something was stored, then one file atomically', async () => {
    const dir = path.join(tempDir('memo'), 'nested', 'cache');
    const cache = await FileDigestCache.open(dir);
    await cache.save();
    expect(existsSync(dir)).toBe(false);
    const { file, entry } = fileEntry();
    cache.store(file, entry, HEX, LATER);
    await cache.save();
    expect(readdirSync(dir)).toEqual(['context-file-digests.json']);
    const reloaded = await FileDigestCache.open(dir);
    expect(reloaded.lookup(file, entry)).toBe(HEX);
  });

  it('reports a cache directory it cannot write', async () => {
    const blocker = makeTree({ 'not-a-dir': 'x' });
    const cache = await FileDigestCache.open(path.join(blocker, 'not-a-dir'));
    const { file, entry } = fileEntry();
    cache.store(file, entry, HEX, LATER);
    await expect(cache.save()).rejects.toMatchObject({ code: 'CONTEXT_DIGEST_CACHE' });
  });
});

describe('FileDigestCache memo file', () => {
  const memoFile = (dir: string) => path.join(dir, 'context-file-digests.json');

  /** Files with old mtimes, and their lstat entries. */
  function files(...names: string[]) {
    const root = makeTree(Object.fromEntries(names.map((name) => [name, name])));
    const old = new Date('2020-01-01T00:00:00Z');
    return names.map((name) => {
      const file = path.join(root, name);
      utimesSync(file, old, old);
      return { file, entry: entryFromStats(name, lstatSync(file, { bigint: true })) };
    });
  }

  it('ignores a memo of the previous format and replaces it on save', async () => {
    const dir = tempDir('memo');
    const [{ file, entry }] = files('f');
    const v1 = [entry.size, String(entry.mtimeNs), String(entry.ino), String(entry.dev), String(LATER), HEX];
    writeFileSync(memoFile(dir), JSON.stringify({ version: 1, entries: { [file]: v1 } }));
    const cache = await FileDigestCache.open(dir);
    expect(cache.size).toBe(0);
    expect(cache.lookup(file, entry)).toBeUndefined();
    cache.store(file, entry, HEX, LATER);
    await cache.save();
    expect(JSON.parse(readFileSync(memoFile(dir), 'utf8'))).toMatchObject({ version: 2 });
    expect((await FileDigestCache.open(dir)).lookup(file, entry)).toBe(HEX);
  });

  it('skips malformed memos and keeps the others', async () => {
    const dir = tempDir('memo');
    const [a, b] = files('a', 'b');
    const stored = (f: typeof a, digest: string) => [f.file, f.entry.size, String(f.entry.mtimeNs), String(f.entry.ino), String(f.entry.dev), digest];
    const memos = [stored(a, HEX), stored(b, 'not hex'), [b.file, 1, 'x', '1', '1', HEX], 'junk', null, [b.file]];
    writeFileSync(memoFile(dir), JSON.stringify({ version: 2, memos }));
    const cache = await FileDigestCache.open(dir);
    expect(cache.size).toBe(1);
    expect(cache.lookup(a.file, a.entry)).toBe(HEX);
    expect(cache.lookup(b.file, b.entry)).toBeUndefined();
  });

  it('misses for a touched file after a reload, and remembers its new digest', async () => {
    const dir = tempDir('memo');
    const [{ file, entry }] = files('f');
    const first = await FileDigestCache.open(dir);
    first.store(file, entry, HEX, LATER);
    await first.save();
    const touched = new Date('2021-06-01T00:00:00Z');
    utimesSync(file, touched, touched);
    const now = entryFromStats('f', lstatSync(file, { bigint: true }));
    const second = await FileDigestCache.open(dir);
    expect(second.lookup(file, now)).toBeUndefined();
    second.store(file, now, 'b'.repeat(64), LATER);
    await second.save();
    const third = await FileDigestCache.open(dir);
    expect(third.size).toBe(1);
    expect(third.lookup(file, now)).toBe('b'.repeat(64));
    expect(third.lookup(file, entry)).toBeUndefined();
  });

  it('forgets a remembered digest when a racily clean one replaces it', async () => {
    const cache = await FileDigestCache.open(tempDir('memo'));
    const [{ file, entry }] = files('f');
    cache.store(file, entry, HEX, LATER);
    cache.store(file, entry, HEX, entry.mtimeNs + 1n);
    expect(cache.lookup(file, entry)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops the least recently used memos beyond its limit, remembering use across saves', async () => {
    const dir = tempDir('memo');
    const [a, b, c, d, e] = files('a', 'b', 'c', 'd', 'e');
    const first = await FileDigestCache.open(dir, 3);
    for (const f of [a, b, c, d]) first.store(f.file, f.entry, HEX, LATER);
    expect(first.lookup(a.file, a.entry)).toBe(HEX); // now a is the most recently used, b the least
    await first.save();
    const second = await FileDigestCache.open(dir, 3);
    expect([a, b, c, d].map((f) => second.lookup(f.file, f.entry) !== undefined)).toEqual([true, false, true, true]);

    const third = await FileDigestCache.open(dir, 3); // the file still lists c, d, a from least to most recent
    expect(third.lookup(c.file, c.entry)).toBe(HEX);
    third.store(e.file, e.entry, HEX, LATER);
    await third.save();
    const fourth = await FileDigestCache.open(dir, 3);
    expect([a, c, d, e].map((f) => fourth.lookup(f.file, f.entry) !== undefined)).toEqual([true, true, false, true]);
  });

  it('does not write after lookups alone', async () => {
    const dir = tempDir('memo');
    const [{ file, entry }] = files('f');
    const first = await FileDigestCache.open(dir);
    first.store(file, entry, HEX, LATER);
    await first.save();
    const second = await FileDigestCache.open(dir);
    rmSync(memoFile(dir));
    expect(second.lookup(file, entry)).toBe(HEX);
    await second.save();
    expect(existsSync(memoFile(dir))).toBe(false);
  });
});
