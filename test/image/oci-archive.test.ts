import { createReadStream, createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { exportImage, indexTar, openImage, openOciArchive, readBlob, writeOciArchive } from '../../src/image/index.js';
import { makeMultiPlatformImage, makeTestImage } from '../fixtures/layers.js';
import { tempDirs } from '../fixtures/temp-dir.js';
import { readdir } from 'node:fs/promises';

const tempDir = tempDirs('oci-archive');

describe('OCI archives', () => {
  it('writes a tar of the layout, reproducibly, and reads it back in place', async () => {
    const dir = await tempDir();
    const image = await makeTestImage({ layers: [[{ type: 'file', path: 'etc/motd', content: 'hi\n' }]] });
    const file = path.join(dir, 'image.tar');
    await exportImage(`oci-archive:${file}:v1`, image.blobs, image.manifest.descriptor);
    const names = [...(await indexTar(file)).keys()];
    expect(names[0]).toBe('oci-layout');
    expect(names.at(-1)).toBe('index.json');
    expect(names).toContain(`blobs/sha256/${image.layers[0].descriptor.digest.slice(7)}`);
    expect((await readdir(dir))).toEqual(['image.tar']);

    const again = path.join(dir, 'again.tar');
    await writeOciArchive(again, image.blobs, [{ descriptor: image.manifest.descriptor, tag: 'v1' }]);
    const { readFile } = await import('node:fs/promises');
    expect((await readFile(again)).equals(await readFile(file))).toBe(true);

    const opened = await openImage(`oci-archive:${file}:v1`);
    expect(opened.manifestDescriptor.digest).toBe(image.manifest.descriptor.digest);
    expect((await readBlob(opened, opened.manifest.layers[0])).equals(image.layers[0].bytes)).toBe(true);
    await opened.close();
    await expect(openImage(`oci-archive:${file}:v2`)).rejects.toMatchObject({ code: 'IMAGE_REFERENCE_NOT_FOUND' });
  });

  it('reads a gzip-compressed archive and holds multi-platform images', async () => {
    const dir = await tempDir();
    const { blobs, index } = await makeMultiPlatformImage([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'riscv64' },
    ]);
    const file = path.join(dir, 'multi.tar');
    await writeOciArchive(file, blobs, [{ descriptor: index.descriptor, tag: 'all' }]);
    await pipeline(createReadStream(file), createGzip(), createWriteStream(`${file}.gz`));
    const opened = await openImage(`oci-archive:${file}.gz:all`, { platform: { os: 'linux', architecture: 'riscv64' } });
    expect(opened.platform.architecture).toBe('riscv64');
    await opened.close();
    const reader = await openOciArchive(file);
    expect(reader.tags()).toEqual(['all']);
    await reader.close();
  });

  it('leaves nothing behind when a blob is missing or corrupt', async () => {
    const dir = await tempDir();
    const image = await makeTestImage({ layers: [[{ type: 'file', path: 'a', content: 'A' }]] });
    const broken = { ...image.layers[0].descriptor, digest: `sha256:${'0'.repeat(64)}` };
    await expect(writeOciArchive(path.join(dir, 'x.tar'), image.blobs, [{ descriptor: broken }])).rejects.toMatchObject({ code: 'IMAGE_BLOB_NOT_FOUND' });
    const liar = { ...image.layers[0].descriptor, size: image.layers[0].descriptor.size - 1 };
    image.blobs.add(Buffer.from('unused'));
    await expect(writeOciArchive(path.join(dir, 'y.tar'), image.blobs, [{ descriptor: liar }])).rejects.toMatchObject({ code: 'IMAGE_SIZE_MISMATCH' });
    expect(await readdir(dir)).toEqual([]);
  });
});
