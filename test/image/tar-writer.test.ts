import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { indexTar, TarFileWriter } from '../../src/image/index.js';
import { tempDirs } from '../fixtures/temp-dir.js';

const tempDir = tempDirs('tar-writer');

describe('TarFileWriter', () => {
  it('writes files, directories and symlinks reproducibly, in place only when finished', async () => {
    const dir = await tempDir();
    const write = async (name: string): Promise<Buffer> => {
      const writer = TarFileWriter.create(path.join(dir, name));
      await writer.addDirectory('d');
      await writer.addBuffer('d/small', Buffer.from('small'));
      await writer.addStream('d/big', 200_000, Readable.from([Buffer.alloc(100_000, 1), Buffer.alloc(100_000, 2)]));
      await writer.addSymlink('link', 'd/small');
      expect(await readdir(dir)).not.toContain(name);
      await writer.finish();
      return readFile(path.join(dir, name));
    };
    const one = await write('one.tar');
    expect((await write('two.tar')).equals(one)).toBe(true);
    const entries = await indexTar(path.join(dir, 'one.tar'));
    expect([...entries.values()].map((e) => [e.name, e.type, e.size])).toEqual([
      ['d', 'directory', 0],
      ['d/small', 'file', 5],
      ['d/big', 'file', 200_000],
      ['link', 'symlink', 0],
    ]);
  });

  it('leaves nothing when a stream gives the wrong size or the archive is aborted', async () => {
    const dir = await tempDir();
    const writer = TarFileWriter.create(path.join(dir, 'bad.tar'));
    await expect(writer.addStream('f', 10, Readable.from([Buffer.alloc(5)]))).rejects.toThrow();
    await writer.abort();
    const aborted = TarFileWriter.create(path.join(dir, 'aborted.tar'));
    await aborted.addBuffer('f', Buffer.from('x'));
    await aborted.abort();
    expect(await readdir(dir)).toEqual([]);
  });
});
