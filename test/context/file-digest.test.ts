import { createHash } from 'node:crypto';
import { lstatSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileChangedError } from '../../src/context/index.js';
import { entryFromStats } from '../../src/context/entry.js';
import { hashFile } from '../../src/context/file-digest.js';
import { makeTree } from './fixtures.js';

function entryOf(root: string, rel: string) {
  return entryFromStats(rel, lstatSync(path.join(root, rel), { bigint: true }));
}

describe('hashFile', () => {
  it('hashes empty, small and multi-chunk files', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    const root = makeTree({ empty: '', small: 'hello' });
    writeFileSync(path.join(root, 'big'), big);
    for (const [rel, content] of [['empty', ''], ['small', 'hello'], ['big', big]] as const) {
      const expected = createHash('sha256').update(content).digest('hex');
      expect(await hashFile(path.join(root, rel), entryOf(root, rel))).toBe(expected);
    }
  });

  it('refuses a file that changed since it was listed', async () => {
    const root = makeTree({ f: 'one' });
    const entry = entryOf(root, 'f');
    writeFileSync(path.join(root, 'f'), 'three');
    await expect(hashFile(path.join(root, 'f'), entry)).rejects.toBeInstanceOf(FileChangedError);
  });

  it('does not follow a symlink swapped in for the file', async () => {
    const root = makeTree({ f: 'one', g: 'two' });
    const entry = entryOf(root, 'f');
    const { rmSync } = await import('node:fs');
    rmSync(path.join(root, 'f'));
    symlinkSync('g', path.join(root, 'f'));
    await expect(hashFile(path.join(root, 'f'), entry)).rejects.toBeInstanceOf(FileChangedError);
  });
});
