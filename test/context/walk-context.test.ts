import { chmodSync, lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContextReadError, InvalidRootError, walkContext } from '../../src/context/index.js';
import { makeTree, tempDir } from './fixtures.js';

describe('walkContext', () => {
  it('lists files, directories and symlinks in tree order with lstat metadata', async () => {
    const root = makeTree({
      'b.txt': 'bee',
      'a/z.txt': 'zz',
      'a-c/y.txt': 'y',
      'a/link': { symlink: '../b.txt' },
      'empty/': { dir: true },
    });
    chmodSync(path.join(root, 'b.txt'), 0o4751);
    const entries = await walkContext(root);
    expect(entries.map((e) => [e.path, e.type])).toEqual([
      ['a', 'directory'],
      ['a/link', 'symlink'],
      ['a/z.txt', 'file'],
      ['a-c', 'directory'],
      ['a-c/y.txt', 'file'],
      ['b.txt', 'file'],
      ['empty', 'directory'],
    ]);
    const file = entries.find((e) => e.path === 'b.txt');
    const stats = lstatSync(path.join(root, 'b.txt'), { bigint: true });
    expect(file).toMatchObject({
      mode: 0o4751,
      uid: Number(stats.uid),
      gid: Number(stats.gid),
      size: 3,
      mtimeNs: stats.mtimeNs,
      ctimeNs: stats.ctimeNs,
      ino: stats.ino,
      dev: stats.dev,
      nlink: 1,
    });
    expect(entries.find((e) => e.path === 'a/link')).toMatchObject({ linkTarget: '../b.txt', size: '../b.txt'.length });
  });

  it('sorts names as Go does (UTF-8 bytes), not by locale', async () => {
    const root = makeTree({ B: '', a: '', 'é': '', '\u{1F600}': '', '\uFF21': '' });
    const entries = await walkContext(root);
    expect(entries.map((e) => e.path)).toEqual(['B', 'a', 'é', '\uFF21', '\u{1F600}']);
  });

  it('never follows symlinks, so a link to a directory outside the root is just a link', async () => {
    const outside = makeTree({ 'secret/key': 'k' });
    const root = makeTree({ 'in.txt': 'i' });
    symlinkSync(path.join(outside, 'secret'), path.join(root, 'out'));
    const entries = await walkContext(root, { followSymlinks: false });
    expect(entries.map((e) => [e.path, e.type])).toEqual([
      ['in.txt', 'file'],
      ['out', 'symlink'],
    ]);
  });

  it('applies .dockerignore patterns', async () => {
    const root = makeTree({ 'src/a.ts': '', 'src/a.test.ts': '', 'node_modules/x/index.js': '', '.git/HEAD': '', 'README.md': '' });
    const entries = await walkContext(root, { excludes: ['node_modules', '.git', '**/*.test.ts'] });
    expect(entries.map((e) => e.path)).toEqual(['README.md', 'src', 'src/a.ts']);
  });

  it('keeps the directory itself for dir/** (only its contents are excluded)', async () => {
    const root = makeTree({ 'dir/a': '', 'dir/sub/b': '' });
    const entries = await walkContext(root, { excludes: ['dir/**'] });
    expect(entries.map((e) => e.path)).toEqual(['dir']);
  });

  it('follows a symlinked root', async () => {
    const real = makeTree({ f: 'x' });
    const parent = tempDir();
    symlinkSync(real, path.join(parent, 'ctx'));
    expect((await walkContext(path.join(parent, 'ctx'))).map((e) => e.path)).toEqual(['f']);
  });

  it('refuses a missing root or a file as root', async () => {
    const root = makeTree({ f: 'x' });
    await expect(walkContext(path.join(root, 'missing'))).rejects.toBeInstanceOf(InvalidRootError);
    await expect(walkContext(path.join(root, 'f'))).rejects.toMatchObject({ code: 'CONTEXT_INVALID_ROOT' });
  });

  it('skips unreadable excluded directories but reports unreadable included ones', async () => {
    if (process.getuid?.() === 0) return; // root reads everything
    const root = makeTree({ 'private/x': '', 'ok.txt': '' });
    chmodSync(path.join(root, 'private'), 0);
    try {
      await expect(walkContext(root, { excludes: ['private', '!ok.txt'] })).resolves.toHaveLength(1);
      await expect(walkContext(root)).rejects.toBeInstanceOf(ContextReadError);
    } finally {
      chmodSync(path.join(root, 'private'), 0o755);
    }
  });

  it('walks a context of 12,000 files', async () => {
    const root = tempDir('big');
    for (let d = 0; d < 120; d++) {
      const dir = path.join(root, `dir${String(d).padStart(3, '0')}`, 'nested');
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < 100; f++) writeFileSync(path.join(dir, `file${String(f).padStart(3, '0')}.txt`), `${d}/${f}`);
    }
    const all = await walkContext(root);
    expect(all).toHaveLength(120 * 2 + 12_000);
    expect(all[0].path).toBe('dir000');
    expect(all[2].path).toBe('dir000/nested/file000.txt');
    const filtered = await walkContext(root, { excludes: ['**/file01*', '!dir000/nested/file011.txt'] });
    expect(filtered.filter((e) => e.type === 'file')).toHaveLength(120 * 90 + 1);
    expect(filtered.some((e) => e.path === 'dir000/nested/file011.txt')).toBe(true);
    expect(filtered.some((e) => e.path === 'dir001/nested/file011.txt')).toBe(false);
  });
});

describe('walkContext options', () => {
  it('refuses to follow symlinks', async () => {
    const root = makeTree({ f: 'x' });
    await expect(walkContext(root, { followSymlinks: true } as unknown as { followSymlinks: false })).rejects.toThrow(TypeError);
  });
});
