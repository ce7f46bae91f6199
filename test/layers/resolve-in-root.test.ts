import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SymlinkLoopError } from '../../src/layers/errors.js';
import { resolveInRoot } from '../../src/layers/resolve-in-root.js';
import { useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

describe('resolveInRoot', () => {
  it('reads absolute symlink targets against the root', async () => {
    const root = await tempDir();
    await symlink('/etc', path.join(root, 'a'));
    expect(await resolveInRoot(root, 'a/passwd')).toBe(path.join(root, 'etc/passwd'));
  });

  it('never climbs above the root, through names or symlink targets', async () => {
    const root = await tempDir();
    await mkdir(path.join(root, 'x/y'), { recursive: true });
    await symlink('../../../../..', path.join(root, 'x/y/up'));
    expect(await resolveInRoot(root, '../../outside')).toBe(path.join(root, 'outside'));
    expect(await resolveInRoot(root, 'x/y/up/etc')).toBe(path.join(root, 'etc'));
    expect(await resolveInRoot(root, 'x/y/up/../../z')).toBe(path.join(root, 'z'));
  });

  it('follows relative symlinks and chains of them inside the root', async () => {
    const root = await tempDir();
    await mkdir(path.join(root, 'real/dir'), { recursive: true });
    await symlink('real', path.join(root, 'one'));
    await symlink('one/dir', path.join(root, 'two'));
    await symlink('../two', path.join(root, 'real/three'));
    expect(await resolveInRoot(root, 'real/three/file')).toBe(path.join(root, 'real/dir/file'));
  });

  it('appends missing components as they are', async () => {
    const root = await tempDir();
    expect(await resolveInRoot(root, 'no/such/dir')).toBe(path.join(root, 'no/such/dir'));
    expect(await resolveInRoot(root, '')).toBe(root);
  });

  it('stops symlink loops with a typed error', async () => {
    const root = await tempDir();
    await symlink('b', path.join(root, 'a'));
    await symlink('a', path.join(root, 'b'));
    await expect(resolveInRoot(root, 'a/x')).rejects.toBeInstanceOf(SymlinkLoopError);
  });
});
