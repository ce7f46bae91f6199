import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  chainIds,
  DockerArchiveReader,
  exportImage,
  indexTar,
  MediaType,
  openImage,
  readAll,
  readBlob,
  serializeImageConfig,
  TarFiles,
  TarFileWriter,
  writeDockerArchive,
} from '../../src/image/index.js';
import { makeMultiPlatformImage, makeTestImage, tarLayer } from '../fixtures/layers.js';
import { tempDirs } from '../fixtures/temp-dir.js';

const tempDir = tempDirs('docker-archive');
const hex = (digest: string): string => digest.slice(7);

async function member(files: TarFiles, name: string): Promise<Buffer> {
  return readAll(await files.open(name), 1 << 24, name);
}

describe('docker-archive', () => {
  it('writes uncompressed layers named by diff ID, manifest.json, repositories and legacy layer entries', async () => {
    const dir = await tempDir();
    const same = [{ type: 'file' as const, path: 'same', content: 'x' }];
    const image = await makeTestImage({ layers: [same, [{ type: 'file', path: 'b', content: 'B' }], same] });
    const file = path.join(dir, 'image.tar');
    await exportImage(`docker-archive:${file}:example.com/team/app:1.0`, image.blobs, image.manifest.descriptor);
    expect(await readdir(dir)).toEqual(['image.tar']);

    const files = await TarFiles.open(file);
    const diffIds = image.configValue.rootfs.diff_ids;
    const manifest = JSON.parse((await member(files, 'manifest.json')).toString());
    expect(manifest).toEqual([
      { Config: `${hex(image.config.descriptor.digest)}.json`, RepoTags: ['example.com/team/app:1.0'], Layers: diffIds.map((d) => `${hex(d)}.tar`) },
    ]);
    expect((await member(files, manifest[0].Config)).equals(image.config.bytes)).toBe(true);
    expect((await member(files, `${hex(diffIds[1])}.tar`)).equals(await tarLayer([{ type: 'file', path: 'b', content: 'B' }]))).toBe(true);

    const layerIds = chainIds(diffIds).map(hex);
    expect(JSON.parse((await member(files, 'repositories')).toString())).toEqual({ 'example.com/team/app': { '1.0': layerIds[2] } });
    const entries = await indexTar(file);
    expect(entries.get(`${layerIds[1]}/layer.tar`)).toMatchObject({ type: 'symlink', linkname: `../${hex(diffIds[1])}.tar` });
    expect(JSON.parse((await member(files, `${layerIds[1]}/json`)).toString())).toEqual({ id: layerIds[1], parent: layerIds[0] });
    expect(JSON.parse((await member(files, `${layerIds[2]}/json`)).toString())).toMatchObject({ id: layerIds[2], os: 'linux', architecture: 'amd64' });
    expect((await member(files, `${layerIds[0]}/VERSION`)).toString()).toBe('1.0');
    expect([...entries.keys()].filter((name) => name.endsWith('.tar') && !name.includes('/'))).toHaveLength(2);
    await files.close();

    const opened = await openImage(`docker-archive:${file}:example.com/team/app:1.0`);
    expect(opened.config).toEqual(image.configValue);
    expect(opened.manifest.layers.map((layer) => [layer.mediaType, layer.digest])).toEqual(diffIds.map((d) => [MediaType.OciLayer, d]));
    expect(opened.configDescriptor.digest).toBe(image.config.descriptor.digest);
    expect((await readBlob(opened, opened.manifest.layers[0])).equals(await tarLayer(same))).toBe(true);
    await opened.close();
  });

  it('writes one platform of a multi-platform image', async () => {
    const dir = await tempDir();
    const { blobs, index, images } = await makeMultiPlatformImage([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ]);
    const file = path.join(dir, 'arm.tar');
    await writeDockerArchive(file, blobs, index.descriptor, { platform: { os: 'linux', architecture: 'arm64' }, repoTags: ['app'] });
    const opened = await openImage(`docker-archive:${file}:app:latest`);
    expect(opened.configDescriptor.digest).toBe(images[1].config.descriptor.digest);
    await opened.close();
  });

  it('reads archives with compressed layers and several images, by name or position', async () => {
    const dir = await tempDir();
    const first = await makeTestImage({ layers: [[{ type: 'file', path: 'one', content: '1' }]] });
    const second = await makeTestImage({ layers: [[{ type: 'file', path: 'two', content: '2' }]], config: { author: 'second' } });
    const file = path.join(dir, 'two-images.tar');
    const writer = TarFileWriter.create(file);
    for (const image of [first, second]) {
      await writer.addBuffer(`${hex(image.config.descriptor.digest)}.json`, image.config.bytes);
      await writer.addBuffer(`${hex(image.layers[0].descriptor.digest)}/layer.tar`, image.layers[0].bytes);
    }
    const entry = (image: typeof first, tags: string[] | null): object => ({
      Config: `${hex(image.config.descriptor.digest)}.json`,
      RepoTags: tags,
      Layers: [`${hex(image.layers[0].descriptor.digest)}/layer.tar`],
    });
    await writer.addBuffer('manifest.json', Buffer.from(JSON.stringify([entry(first, ['busybox:latest']), entry(second, null)])));
    await writer.finish();

    const reader = await DockerArchiveReader.openFile(file);
    expect(reader.repoTags()).toEqual([['busybox:latest'], []]);
    expect(reader.findImage({ tag: 'docker.io/library/busybox:latest' })).toBe(0);
    expect(() => reader.findImage()).toThrow(expect.objectContaining({ code: 'IMAGE_AMBIGUOUS_REFERENCE' }) as Error);
    expect(() => reader.findImage({ index: 2 })).toThrow(expect.objectContaining({ code: 'IMAGE_REFERENCE_NOT_FOUND' }) as Error);
    expect(() => reader.findImage({ tag: 'other:1' })).toThrow(expect.objectContaining({ code: 'IMAGE_REFERENCE_NOT_FOUND', message: expect.stringContaining('busybox:latest') }) as Error);
    await reader.close();

    const byName = await openImage(`docker-archive:${file}:busybox`);
    expect(byName.manifest.layers[0]).toEqual({ ...first.layers[0].descriptor, mediaType: MediaType.OciLayerGzip });
    expect((await readBlob(byName, byName.manifest.layers[0])).equals(first.layers[0].bytes)).toBe(true);
    await byName.close();
    const byPosition = await openImage(`docker-archive:${file}:@1`);
    expect(byPosition.config.author).toBe('second');

    // Re-exporting decompresses the layer and checks it against the diff ID.
    const out = path.join(dir, 'out.tar');
    await exportImage(`docker-archive:${out}:again`, byPosition, byPosition.manifestDescriptor);
    await byPosition.close();
    const again = await openImage(`docker-archive:${out}`);
    expect(again.manifest.layers[0].digest).toBe(second.layers[0].diffId);
    await again.close();
  });

  it('refuses a layer whose content does not match the diff ID, leaving nothing behind', async () => {
    const dir = await tempDir();
    const image = await makeTestImage({ layers: [[{ type: 'file', path: 'a', content: 'A' }]] });
    const wrongConfig = serializeImageConfig({ ...image.configValue, rootfs: { type: 'layers', diff_ids: [`sha256:${'1'.repeat(64)}`] } });
    image.blobs.add(wrongConfig.bytes);
    const { serializeManifest } = await import('../../src/image/index.js');
    const manifest = serializeManifest({ config: wrongConfig.descriptor, layers: [image.layers[0].descriptor] });
    image.blobs.add(manifest.bytes);
    await expect(writeDockerArchive(path.join(dir, 'bad.tar'), image.blobs, manifest.descriptor)).rejects.toMatchObject({ code: 'IMAGE_DIFF_ID_MISMATCH' });
    expect(await readdir(dir)).toEqual([]);
    await expect(DockerArchiveReader.openFile(path.join(dir, 'missing.tar'))).rejects.toMatchObject({ code: 'IMAGE_REFERENCE_NOT_FOUND' });
  });
});
