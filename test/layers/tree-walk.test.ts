import { execFileSync } from 'node:child_process';
import { chmod, link, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addChangeFor, walkTree } from '../../src/layers/tree-walk.js';
import { CAPABILITY_HEX, isRoot, setXattr, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

describe('walkTree', () => {
  it('lists every entry below the root in layer order with its stat metadata', async () => {
    const root = await tempDir();
    await mkdir(path.join(root, 'b/c'), { recursive: true });
    await writeFile(path.join(root, 'b/c/file'), 'hello');
    await writeFile(path.join(root, 'a'), '');
    await writeFile(path.join(root, 'b.txt'), '');
    await chmod(path.join(root, 'b/c/file'), 0o4751);
    await chmod(path.join(root, 'b'), 0o1777);
    await symlink('/nowhere', path.join(root, 'b/link'));
    await utimes(path.join(root, 'a'), 1000, 1_234_567_890.5);
    execFileSync('mkfifo', [path.join(root, 'fifo')]);
    const tree = await walkTree(root, { xattrs: false });
    expect([...tree.entries.keys()]).toEqual(['a', 'b', 'b/c', 'b/c/file', 'b/link', 'b.txt', 'fifo']);
    const file = tree.entries.get('b/c/file')!;
    expect(file).toMatchObject({ type: 'file', mode: 0o4751, size: 5, nlink: 1 });
    expect(tree.entries.get('b')).toMatchObject({ type: 'directory', mode: 0o1777 });
    expect(tree.entries.get('b/link')).toMatchObject({ type: 'symlink', linkTarget: '/nowhere' });
    expect(tree.entries.get('fifo')!.type).toBe('fifo');
    expect(tree.entries.get('a')!.mtimeNs).toBe(1_234_567_890_500_000_000n);
  });

  it('leaves sockets out', async () => {
    const root = await tempDir();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(path.join(root, 'sock'), resolve));
    try {
      expect([...(await walkTree(root, { xattrs: false })).entries.keys()]).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it.runIf(isRoot)('reads device numbers of device nodes', async () => {
    const root = await tempDir();
    execFileSync('mknod', [path.join(root, 'null'), 'c', '1', '3']);
    execFileSync('mknod', [path.join(root, 'big'), 'b', '259', '1048575']);
    const tree = await walkTree(root, { xattrs: false });
    expect(tree.entries.get('null')).toMatchObject({ type: 'character-device', devMajor: 1, devMinor: 3 });
    expect(tree.entries.get('big')).toMatchObject({ type: 'block-device', devMajor: 259, devMinor: 1_048_575 });
  });

  it('gives hardlinked files one inode key and attaches xattrs', async () => {
    const root = await tempDir();
    await writeFile(path.join(root, 'one'), 'x');
    await link(path.join(root, 'one'), path.join(root, 'two'));
    setXattr(path.join(root, 'one'), 'security.capability', CAPABILITY_HEX);
    const tree = await walkTree(root);
    const one = tree.entries.get('one')!;
    expect(one.inodeKey).toBe(tree.entries.get('two')!.inodeKey);
    expect(one.xattrs!.get('security.capability')!.toString('hex')).toBe(CAPABILITY_HEX);
    const change = addChangeFor(one, one.xattrs);
    expect(change).toMatchObject({ kind: 'add', type: 'file', path: 'one', source: one.absolutePath, hardlinkKey: one.inodeKey });
  });
});
