import { describe, expect, it } from 'vitest';
import {
  Annotation,
  MediaType,
  MemoryBlobs,
  resolveImage,
  selectManifest,
  serializeImageConfig,
  serializeIndex,
  serializeManifest,
} from '../../src/image/index.js';
import { makeMultiPlatformImage, makeTestImage } from '../fixtures/layers.js';

describe('resolving images', () => {
  it('opens nested indexes, skips attestation manifests, chooses by platform', async () => {
    const { blobs, index, images } = await makeMultiPlatformImage([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ]);
    const attestation = serializeManifest({ config: images[0].config.descriptor, layers: [] });
    blobs.add(attestation.bytes);
    const outer = serializeIndex({
      manifests: [
        { ...attestation.descriptor, platform: { os: 'unknown', architecture: 'unknown' }, annotations: { [Annotation.DockerReferenceType]: 'attestation-manifest' } },
        index.descriptor,
      ],
    });
    blobs.add(outer.bytes);
    const chosen = await selectManifest(blobs, [outer.descriptor], { platform: { os: 'linux', architecture: 'arm64' } });
    expect(chosen.digest).toBe(images[1].manifest.descriptor.digest);
    const resolved = await resolveImage(blobs, outer.descriptor, { platform: { os: 'linux', architecture: 'amd64' } });
    expect(resolved.root).toEqual(outer.descriptor);
    expect(resolved.manifestDescriptor.digest).toBe(images[0].manifest.descriptor.digest);
    expect(resolved.configBytes.equals(images[0].config.bytes)).toBe(true);
    expect(resolved.platform).toEqual({ os: 'linux', architecture: 'amd64' });
  });

  it('reads configs for the platform when descriptors have none', async () => {
    const blobs = new MemoryBlobs();
    const amd = await makeTestImage({ blobs, layers: [[{ type: 'file', path: 'a', content: 'amd' }]] });
    const ppc = await makeTestImage({ blobs, layers: [[{ type: 'file', path: 'a', content: 'ppc' }]], config: { architecture: 'ppc64le' } });
    const candidates = [amd.manifest.descriptor, ppc.manifest.descriptor];
    expect((await selectManifest(blobs, candidates, { platform: { os: 'linux', architecture: 'ppc64le' } })).digest).toBe(ppc.manifest.descriptor.digest);
    // A single image serves any platform asked for; its real platform is in the result.
    expect((await resolveImage(blobs, amd.manifest.descriptor, { platform: { os: 'linux', architecture: 'ppc64le' } })).platform.architecture).toBe('amd64');
  });

  it('rejects a manifest whose layers and diff IDs disagree, and an index without images', async () => {
    const image = await makeTestImage({ layers: [[{ type: 'file', path: 'a', content: 'A' }]] });
    const config = serializeImageConfig({ ...image.configValue, rootfs: { type: 'layers', diff_ids: [] } });
    image.blobs.add(config.bytes);
    const manifest = serializeManifest({ config: config.descriptor, layers: [image.layers[0].descriptor] });
    image.blobs.add(manifest.bytes);
    await expect(resolveImage(image.blobs, manifest.descriptor)).rejects.toMatchObject({ code: 'IMAGE_INVALID_MANIFEST' });
    const empty = serializeIndex({ manifests: [] });
    image.blobs.add(empty.bytes);
    await expect(resolveImage(image.blobs, empty.descriptor)).rejects.toMatchObject({ code: 'IMAGE_REFERENCE_NOT_FOUND' });
    await expect(resolveImage(image.blobs, { ...manifest.descriptor, mediaType: MediaType.OciLayer })).rejects.toMatchObject({ code: 'IMAGE_REFERENCE_NOT_FOUND' });
  });
});
