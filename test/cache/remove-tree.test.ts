import { chmod, lstat, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeTree } from '../../src/cache/index.js';
import { tempDirs } from '../fixtures/temp-dir.js';

const tempDir = tempDirs('remove-tree');

describe('removeTree', () => {
  it('removes trees with read-only directories and dangling symlinks, and missing paths quietly', async () => {
    const root = path.join(await tempDir(), 'tree');
    await mkdir(path.join(root, 'a', 'b'), { recursive: true });
    await writeFile(path.join(root, 'a', 'b', 'file'), 'x');
    await symlink('/nonexistent', path.join(root, 'a', 'dangling'));
    await chmod(path.join(root, 'a', 'b'), 0o555);
    await chmod(path.join(root, 'a'), 0o500);
    await removeTree(root);
    await expect(lstat(root)).rejects.toMatchObject({ code: 'ENOENT' });
    await removeTree(root);
  });
});
