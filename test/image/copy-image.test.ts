import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { copyImage, MemoryBlobs, type BlobSink, type BlobSource, type Descriptor, type ExpectedContent } from '../../src/image/index.js';
import { makeMultiPlatformImage, makeTestImage } from '../fixtures/layers.js';

/** A sink that records the order blobs arrive in. */
class RecordingSink implements BlobSink {
  readonly order: string[] = [];
  readonly inner = new MemoryBlobs();
  async hasBlob(digest: string): Promise<boolean> {
    return this.inner.hasBlob(digest);
  }
  async putBlob(content: Readable | Uint8Array, expected: ExpectedContent): Promise<void> {
    await this.inner.putBlob(content, expected);
    this.order.push(expected.digest);
  }
}

describe('copyImage', () => {
  it('copies children before parents, each blob once, and skips what the sink holds', async () => {
    const { blobs, index, images } = await makeMultiPlatformImage([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ]);
    const sink = new RecordingSink();
    expect(await copyImage(blobs, sink, index.descriptor)).toEqual({ copied: 7, present: 0 });
    expect(sink.order.at(-1)).toBe(index.descriptor.digest);
    for (const image of images) {
      const manifestAt = sink.order.indexOf(image.manifest.descriptor.digest);
      expect(sink.order.indexOf(image.config.descriptor.digest)).toBeLessThan(manifestAt);
      expect(sink.order.indexOf(image.layers[0].descriptor.digest)).toBeLessThan(manifestAt);
    }
    expect(await copyImage(blobs, sink, index.descriptor)).toEqual({ copied: 0, present: 7 });
  });

  it('fails on a source whose content does not match, and on a missing blob', async () => {
    const image = await makeTestImage({ layers: [[{ type: 'file', path: 'a', content: 'A' }]] });
    const lying: BlobSource = {
      openBlob: async (descriptor: Descriptor) =>
        descriptor.digest === image.layers[0].descriptor.digest ? Readable.from([Buffer.alloc(descriptor.size)]) : image.blobs.openBlob(descriptor),
    };
    await expect(copyImage(lying, new MemoryBlobs(), image.manifest.descriptor)).rejects.toMatchObject({ code: 'IMAGE_DIGEST_MISMATCH' });
    const partial = new MemoryBlobs();
    partial.add(image.manifest.bytes);
    await expect(copyImage(partial, new MemoryBlobs(), image.manifest.descriptor)).rejects.toMatchObject({ code: 'IMAGE_BLOB_NOT_FOUND' });
  });
});
