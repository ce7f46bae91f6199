import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BlobVerificationError, blobPath, digestOf, ImageError, isDigest, parseDigest, verifyingStream } from '../../src/image/index.js';

const helloDigest = 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';

async function drain(stream: Readable, verifier: ReturnType<typeof verifyingStream>): Promise<void> {
  await pipeline(stream, verifier, new Writable({ write: (_chunk, _encoding, callback) => callback() }));
}

describe('digests', () => {
  it('hashes with sha256 by default and sha512 on request', () => {
    expect(digestOf('hello')).toBe(helloDigest);
    expect(digestOf(Buffer.from('hello'), 'sha512')).toMatch(/^sha512:[a-f0-9]{128}$/);
  });

  it('parses and checks digests', () => {
    expect(parseDigest(helloDigest)).toEqual({ algorithm: 'sha256', hex: helloDigest.slice(7) });
    expect(isDigest(helloDigest)).toBe(true);
    for (const bad of ['sha256:abc', 'SHA256:' + helloDigest.slice(7), 'sha256:' + helloDigest.slice(7).toUpperCase(), 'md5:abcd', helloDigest + '0', 42]) {
      expect(isDigest(bad)).toBe(false);
    }
    expect(() => parseDigest('sha256:xyz')).toThrow(expect.objectContaining({ code: 'IMAGE_INVALID_DIGEST' }) as Error);
    expect(blobPath(helloDigest)).toBe(`blobs/sha256/${helloDigest.slice(7)}`);
  });

  it('verifies streams: passes matching content, fails a wrong digest or size with typed errors', async () => {
    await drain(Readable.from([Buffer.from('hel'), Buffer.from('lo')]), verifyingStream({ digest: helloDigest, size: 5 }, 'greeting'));

    const wrong = drain(Readable.from([Buffer.from('hellO')]), verifyingStream({ digest: helloDigest }, 'greeting'));
    await expect(wrong).rejects.toBeInstanceOf(BlobVerificationError);
    await expect(wrong).rejects.toMatchObject({ code: 'IMAGE_DIGEST_MISMATCH', expected: helloDigest });

    const short = drain(Readable.from([Buffer.from('hello')]), verifyingStream({ digest: helloDigest, size: 6 }, 'greeting'));
    await expect(short).rejects.toMatchObject({ code: 'IMAGE_SIZE_MISMATCH' });

    const long = drain(Readable.from([Buffer.from('hello'), Buffer.from('!')]), verifyingStream({ digest: helloDigest, size: 5 }, 'greeting'));
    await expect(long).rejects.toMatchObject({ code: 'IMAGE_SIZE_MISMATCH' });
    await expect(long).rejects.toBeInstanceOf(ImageError);
  });
});
