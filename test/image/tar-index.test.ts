import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexTar, TarFiles } from '../../src/image/index.js';
import { tarLayer } from '../fixtures/layers.js';
import { tempDirs } from '../fixtures/temp-dir.js';
import { run, which } from '../fixtures/tools.js';

const tempDir = tempDirs('tar-index');
const longName = `${'deep/'.repeat(40)}file-with-a-long-name.txt`;

async function read(files: TarFiles, name: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await files.open(name)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('tar index', () => {
  it('indexes tar-stream output: offsets, PAX long names, links, and reads members in place', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'a.tar');
    await writeFile(
      file,
      await tarLayer([
        { type: 'directory', path: 'blobs/' },
        { type: 'file', path: './blobs/one', content: 'first' },
        { type: 'file', path: longName, content: 'long' },
        { type: 'file', path: 'empty', content: '' },
        { type: 'symlink', path: 'dir/link', target: '../blobs/one' },
        { type: 'link', path: 'hard', target: 'blobs/one' },
        { type: 'file', path: 'blobs/one', content: 'replaced' },
      ]),
    );
    const entries = await indexTar(file);
    expect(entries.get('blobs')?.type).toBe('directory');
    expect(entries.get(longName)).toMatchObject({ type: 'file', size: 4 });
    expect(entries.get('dir/link')).toMatchObject({ type: 'symlink', linkname: '../blobs/one' });
    const bytes = await readFile(file);
    const one = entries.get('blobs/one')!;
    expect(bytes.subarray(one.offset, one.offset + one.size).toString()).toBe('replaced');

    const files = await TarFiles.open(file);
    expect(await read(files, longName)).toBe('long');
    expect(await read(files, 'dir/link')).toBe('replaced');
    expect(await read(files, 'hard')).toBe('replaced');
    expect(await read(files, 'empty')).toBe('');
    expect(await files.size('missing')).toBeUndefined();
    await expect(files.open('missing')).rejects.toMatchObject({ code: 'IMAGE_BLOB_NOT_FOUND' });
    // Paths are clamped to the archive: `..` cannot climb out of it.
    await expect(files.open('../../etc/passwd')).rejects.toMatchObject({ code: 'IMAGE_BLOB_NOT_FOUND' });
    expect(await read(files, '../blobs/../blobs/one')).toBe('replaced');
    await files.close();
  });

  it.skipIf(!which('tar'))('indexes GNU tar output (long names, gzip-compressed archives)', async () => {
    const dir = await tempDir();
    const src = path.join(dir, 'src');
    await mkdir(path.join(src, path.dirname(longName)), { recursive: true });
    await writeFile(path.join(src, longName), 'gnu');
    await writeFile(path.join(src, 'big'), Buffer.alloc(70_000, 7));
    await symlink('big', path.join(src, 'alias'));
    for (const format of ['gnu', 'posix', 'ustar']) {
      const file = path.join(dir, `${format}.tar`);
      const members = format === 'ustar' ? ['big', 'alias'] : ['.'];
      await run('tar', ['-C', src, `--format=${format}`, '-cf', file, ...members]);
      const files = await TarFiles.open(file);
      if (format !== 'ustar') expect(await read(files, longName)).toBe('gnu');
      expect(await files.size('alias')).toBe(70_000);
      expect(await read(files, 'big')).toBe(Buffer.alloc(70_000, 7).toString());
      await files.close();
    }
    const gz = path.join(dir, 'c.tar.gz');
    await run('tar', ['-C', src, '-czf', gz, 'big']);
    const files = await TarFiles.open(gz);
    expect(await files.size('big')).toBe(70_000);
    await files.close();
  });

  it('rejects files that are not tar archives', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'not.tar');
    await writeFile(file, Buffer.alloc(2048, 'x'));
    await expect(indexTar(file)).rejects.toMatchObject({ code: 'IMAGE_INVALID_ARCHIVE' });
  });
});
