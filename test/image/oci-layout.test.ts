import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Annotation,
  copyImage,
  digestOf,
  exportImage,
  MediaType,
  OciLayoutDirectory,
  openImage,
  readBlob,
} from '../../src/image/index.js';
import { makeMultiPlatformImage, makeTestImage } from '../fixtures/layers.js';
import { tempDirs } from '../fixtures/temp-dir.js';

const tempDir = tempDirs('oci-layout');

describe('OCI layout directories', () => {
  it('writes oci-layout, index.json with ref.name and verified blobs, and reads the image back', async () => {
    const dir = path.join(await tempDir(), 'layout');
    const image = await makeTestImage({ layers: [[{ type: 'file', path: 'a', content: 'A' }], [{ type: 'file', path: 'b', content: 'B' }]] });
    await exportImage(`oci-layout://${dir}:v1`, image.blobs, image.manifest.descriptor);

    expect(JSON.parse(await readFile(path.join(dir, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8'));
    expect(index).toEqual({
      schemaVersion: 2,
      mediaType: MediaType.OciIndex,
      manifests: [{ ...image.manifest.descriptor, annotations: { [Annotation.RefName]: 'v1' } }],
    });
    const blobs = (await readdir(path.join(dir, 'blobs', 'sha256'))).sort();
    expect(blobs).toEqual([image.manifest.descriptor, image.config.descriptor, ...image.layers.map((layer) => layer.descriptor)].map((d) => d.digest.slice(7)).sort());
    expect((await readdir(dir)).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);

    const opened = await openImage(`oci-layout://${dir}:v1`);
    expect(opened.manifestDescriptor.digest).toBe(image.manifest.descriptor.digest);
    expect(opened.manifestBytes.equals(image.manifest.bytes)).toBe(true);
    expect(opened.config).toEqual(image.configValue);
    expect(opened.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect((await readBlob(opened, opened.manifest.layers[1], 1 << 20)).equals(image.layers[1].bytes)).toBe(true);
    await opened.close();

    const byDigest = await openImage(`oci-layout://${dir}@${image.manifest.descriptor.digest}`);
    expect(byDigest.config).toEqual(image.configValue);
    const untagged = await openImage(`oci:${dir}`);
    expect(untagged.manifestDescriptor.digest).toBe(image.manifest.descriptor.digest);
  });

  it('re-tags: a tag moves to the new image, other tags stay, blobs are shared', async () => {
    const dir = await tempDir();
    const one = await makeTestImage({ layers: [[{ type: 'file', path: 'x', content: '1' }]] });
    const two = await makeTestImage({ layers: [[{ type: 'file', path: 'x', content: '2' }]] });
    await exportImage(`oci-layout://${dir}:stable`, one.blobs, one.manifest.descriptor);
    await exportImage(`oci-layout://${dir}:latest`, one.blobs, one.manifest.descriptor);
    await exportImage(`oci-layout://${dir}:latest`, two.blobs, two.manifest.descriptor);
    const layout = await OciLayoutDirectory.open(dir);
    expect(layout.tags()).toEqual(['stable', 'latest']);
    expect(layout.entriesForTag('latest').map((d) => d.digest)).toEqual([two.manifest.descriptor.digest]);
    expect(layout.entriesForTag('stable').map((d) => d.digest)).toEqual([one.manifest.descriptor.digest]);
    await expect(openImage(`oci-layout://${dir}`)).rejects.toMatchObject({ code: 'IMAGE_AMBIGUOUS_REFERENCE' });
    await expect(openImage(`oci-layout://${dir}:nope`)).rejects.toMatchObject({ code: 'IMAGE_REFERENCE_NOT_FOUND', message: expect.stringContaining('stable, latest') });
    expect(await layout.removeReference('stable')).toBe(true);
    expect(await layout.removeReference('stable')).toBe(false);
    expect(layout.tags()).toEqual(['latest']);
  });

  it('resolves a multi-platform index by platform', async () => {
    const dir = await tempDir();
    const { blobs, index } = await makeMultiPlatformImage([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
      { os: 'linux', architecture: 'arm', variant: 'v6' },
    ]);
    await exportImage(`oci-layout://${dir}:multi`, blobs, index.descriptor);
    const arm64 = await openImage(`oci-layout://${dir}:multi`, { platform: { os: 'linux', architecture: 'arm64' } });
    expect(arm64.root.digest).toBe(index.descriptor.digest);
    expect(arm64.platform).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    const armv7 = await openImage(`oci-layout://${dir}:multi`, { platform: { os: 'linux', architecture: 'arm', variant: 'v7' } });
    expect(armv7.platform).toEqual({ os: 'linux', architecture: 'arm', variant: 'v6' });
    await expect(openImage(`oci-layout://${dir}:multi`, { platform: { os: 'linux', architecture: 's390x' } })).rejects.toMatchObject({
      code: 'IMAGE_PLATFORM_NOT_FOUND',
      message: expect.stringContaining('linux/amd64, linux/arm64/v8, linux/arm/v6'),
    });
    // One platform's manifest by digest, though only the index is in index.json.
    const second = JSON.parse(index.bytes.toString()).manifests[1].digest as string;
    const byDigest = await openImage(`oci-layout://${dir}@${second}`);
    expect(byDigest.platform.architecture).toBe('arm64');
  });

  it('fails with typed errors: not a layout, missing blob, corrupt blob', async () => {
    const dir = await tempDir();
    await expect(openImage(`oci-layout://${dir}`)).rejects.toMatchObject({ code: 'IMAGE_INVALID_LAYOUT' });
    await expect(openImage(`oci-layout://${dir}/missing`)).rejects.toMatchObject({ code: 'IMAGE_REFERENCE_NOT_FOUND' });

    const image = await makeTestImage({ layers: [[{ type: 'file', path: 'a', content: 'A' }]] });
    const layout = await OciLayoutDirectory.create(dir);
    await copyImage(image.blobs, layout, image.manifest.descriptor);
    await layout.setReference(image.manifest.descriptor, 'x');
    await expect(readBlob(layout, { ...image.config.descriptor, digest: digestOf('missing') })).rejects.toMatchObject({ code: 'IMAGE_BLOB_NOT_FOUND' });
    await writeFile(layout.blobFile(image.config.descriptor.digest), '{"tampered":true}');
    await expect(openImage(`oci-layout://${dir}:x`)).rejects.toMatchObject({ code: 'IMAGE_SIZE_MISMATCH' });
    await expect(layout.putBlob(Buffer.from('abc'), { digest: image.layers[0].descriptor.digest })).rejects.toMatchObject({ code: 'IMAGE_DIGEST_MISMATCH' });
    expect((await readdir(dir)).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
  });
});
