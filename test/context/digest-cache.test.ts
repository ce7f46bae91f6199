import { existsSync, lstatSync, readdirSync, utimesSync } from 'node:fs';
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
