import { describe, expect, it } from 'vitest';
import { digestOf, MediaType, MemoryBlobs, openVerifiedBlob, readAll, readBlob } from '../../src/image/index.js';

describe('blob sources', () => {
  it('reads blobs verified, including embedded data', async () => {
    const blobs = new MemoryBlobs();
    const digest = blobs.add(Buffer.from('{"a":1}'));
    const descriptor = { mediaType: 'application/json', digest, size: 7 };
    expect((await readBlob(blobs, descriptor)).toString()).toBe('{"a":1}');
    const embedded = { mediaType: MediaType.OciEmpty, digest: digestOf('{}'), size: 2, data: Buffer.from('{}').toString('base64') };
    expect((await readBlob(new MemoryBlobs(), embedded)).toString()).toBe('{}');
    await expect(readBlob(new MemoryBlobs(), { ...embedded, data: Buffer.from('[]').toString('base64') })).rejects.toMatchObject({ code: 'IMAGE_DIGEST_MISMATCH' });
    await expect(readBlob(blobs, { ...descriptor, size: 8 })).rejects.toMatchObject({ code: 'IMAGE_SIZE_MISMATCH' });
    await expect(readBlob(blobs, { ...descriptor, size: 100 }, 10)).rejects.toMatchObject({ code: 'IMAGE_BLOB_TOO_LARGE' });
  });

  it('streams verified blobs and fails at the end on mismatch', async () => {
    const blobs = new MemoryBlobs();
    const digest = blobs.add(Buffer.from('content'));
    const stream = await openVerifiedBlob(blobs, { mediaType: MediaType.OciLayer, digest, size: 7 });
    expect((await readAll(stream, 100, 'x')).toString()).toBe('content');
    const wrong = await openVerifiedBlob(
      { openBlob: (d) => blobs.openBlob({ ...d, digest }) },
      { mediaType: MediaType.OciLayer, digest: digestOf('other!!'), size: 7 },
    );
    await expect(readAll(wrong, 100, 'x')).rejects.toMatchObject({ code: 'IMAGE_DIGEST_MISMATCH' });
  });

  it('falls back to another source and rejects blobs it does not hold', async () => {
    const base = new MemoryBlobs();
    const digest = base.add(Buffer.from('base'));
    const layered = new MemoryBlobs(base);
    expect((await readBlob(layered, { mediaType: 'x', digest, size: 4 })).toString()).toBe('base');
    expect(await layered.hasBlob(digest)).toBe(false);
    await expect(new MemoryBlobs().openBlob({ mediaType: 'x', digest, size: 4 })).rejects.toMatchObject({ code: 'IMAGE_BLOB_NOT_FOUND' });
    await expect(layered.putBlob(Buffer.from('nope'), { digest })).rejects.toMatchObject({ code: 'IMAGE_DIGEST_MISMATCH' });
  });
});
