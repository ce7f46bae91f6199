import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DirectoryFiles, readAll, readLayoutFile, readSmallFile, TarFileWriter, TarFiles } from '../../src/image/index.js';
import { tempDirs } from '../fixtures/temp-dir.js';

const tempDir = tempDirs('small-file');

/** The error readAll gives for the same content and limit: the bounded read must give the same. */
async function streamError(bytes: Buffer, maxSize: number, what: string): Promise<unknown> {
  return readAll(Readable.from([bytes]), maxSize, what).catch((error: unknown) => error);
}

describe('readSmallFile', () => {
  it('reads a whole file up to the limit, and refuses one past it as readAll does', async () => {
    const file = path.join(await tempDir(), 'doc.json');
    await writeFile(file, '{"a":1}');
    expect(readSmallFile(file, 7, 'doc')?.toString()).toBe('{"a":1}');
    expect(readSmallFile(file, 1024, 'doc')?.toString()).toBe('{"a":1}');
    const refused = (() => {
      try {
        return readSmallFile(file, 6, 'doc');
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toMatchObject({ code: 'IMAGE_BLOB_TOO_LARGE', message: 'doc is larger than 6 bytes, the limit for JSON documents' });
    const expected = (await streamError(Buffer.from('{"a":1}'), 6, 'doc')) as Error & { code: string };
    expect(refused).toMatchObject({ code: expected.code, message: expected.message });
  });

  it('reads an empty file', async () => {
    const file = path.join(await tempDir(), 'empty');
    await writeFile(file, '');
    expect(readSmallFile(file, 0, 'empty')?.length).toBe(0);
  });

  it('throws the error of open for a missing file', async () => {
    const dir = await tempDir();
    expect(() => readSmallFile(path.join(dir, 'missing'), 100, 'missing')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('returns undefined for what is not a regular file: a directory, a FIFO (without waiting for a writer)', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'sub'));
    expect(readSmallFile(path.join(dir, 'sub'), 100, 'sub')).toBeUndefined();
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    expect(readSmallFile(path.join(dir, 'fifo'), 100, 'fifo')).toBeUndefined();
  });

  it.skipIf(process.platform !== 'linux')('reads to the end of a file whose size fstat does not know (/proc), within the limit', () => {
    const status = readSmallFile('/proc/self/status', 1 << 20, 'status');
    expect(status?.toString()).toMatch(/^Name:/);
    expect(() => readSmallFile('/proc/self/status', 16, 'status')).toThrow(expect.objectContaining({ code: 'IMAGE_BLOB_TOO_LARGE' }));
  });
});

describe('LayoutFiles.read', () => {
  it('reads a directory file, undefined when missing or not a file, and refuses one past the limit', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'index.json'), '{"schemaVersion":2}');
    await mkdir(path.join(dir, 'blobs'));
    const files = new DirectoryFiles(dir);
    expect((await readLayoutFile(files, 'index.json', 1024))?.toString()).toBe('{"schemaVersion":2}');
    expect(await readLayoutFile(files, 'missing.json', 1024)).toBeUndefined();
    expect(await readLayoutFile(files, 'index.json/below', 1024)).toBeUndefined();
    expect(await readLayoutFile(files, 'blobs', 1024)).toBeUndefined();
    await expect(readLayoutFile(files, 'index.json', 4)).rejects.toMatchObject({
      code: 'IMAGE_BLOB_TOO_LARGE',
      message: `${dir}: index.json is larger than 4 bytes, the limit for JSON documents`,
    });
    await expect(files.read('index.json', 4, 'the index')).rejects.toMatchObject({ message: 'the index is larger than 4 bytes, the limit for JSON documents' });
    await expect(readLayoutFile(files, '', 1024)).rejects.toMatchObject({ code: 'IMAGE_INVALID_LAYOUT' });
  });

  it('reads a tar member the same way', async () => {
    const archive = path.join(await tempDir(), 'layout.tar');
    const writer = TarFileWriter.create(archive);
    await writer.addBuffer('index.json', Buffer.from('{"schemaVersion":2}'));
    await writer.finish();
    const files = await TarFiles.open(archive);
    try {
      expect((await readLayoutFile(files, 'index.json', 1024))?.toString()).toBe('{"schemaVersion":2}');
      expect(await readLayoutFile(files, 'missing.json', 1024)).toBeUndefined();
      await expect(readLayoutFile(files, 'index.json', 4)).rejects.toMatchObject({
        code: 'IMAGE_BLOB_TOO_LARGE',
        message: `${archive}: index.json is larger than 4 bytes, the limit for JSON documents`,
      });
    } finally {
      await files.close();
    }
  });
});
