import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createCompressor, createDecompressor, detectCompression, mediaTypeFor } from '../../src/layers/compression.js';
import { InvalidCompressionError, UnsupportedCompressionError } from '../../src/layers/errors.js';
import { collector } from './helpers.js';

describe('detectCompression', () => {
  it('recognises gzip and zstd by their magic bytes and takes anything else for tar', () => {
    expect(detectCompression(gzipSync('x'))).toBe('gzip');
    expect(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0]))).toBe('zstd');
    expect(detectCompression(Buffer.from('file\0\0\0'))).toBe('none');
    expect(detectCompression(Buffer.alloc(0))).toBe('none');
  });

  it('refuses bzip2 and xz with a typed error', () => {
    expect(() => detectCompression(Buffer.from('BZh91AY'))).toThrow(UnsupportedCompressionError);
    expect(() => detectCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))).toThrow(UnsupportedCompressionError);
  });
});

describe('compressors', () => {
  it('maps compressions to OCI media types', () => {
    expect(mediaTypeFor({ type: 'gzip' })).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
    expect(mediaTypeFor({ type: 'zstd', level: 3 })).toBe('application/vnd.oci.image.layer.v1.tar+zstd');
    expect(mediaTypeFor({ type: 'none' })).toBe('application/vnd.oci.image.layer.v1.tar');
  });

  it('refuses gzip levels outside 1–9 and zstd levels outside 1–22', async () => {
    for (const level of [0, 10, 1.5, Number.NaN]) await expect(createCompressor({ type: 'gzip', level })).rejects.toBeInstanceOf(InvalidCompressionError);
    for (const level of [0, 23]) await expect(createCompressor({ type: 'zstd', level })).rejects.toMatchObject({ code: 'LAYER_INVALID_COMPRESSION' });
    await expect(createCompressor({ type: 'lz4' } as never)).rejects.toBeInstanceOf(InvalidCompressionError);
  });

  it('round-trips gzip at every level, and more effort never gives a larger result here', async () => {
    const input = Buffer.from('layer '.repeat(50_000) + Array.from({ length: 5000 }, (_, i) => i * 7919).join(','));
    const sizes: number[] = [];
    for (let level = 1; level <= 9; level++) {
      const compressed = collector();
      await pipeline(Readable.from([input]), (await createCompressor({ type: 'gzip', level }))!, compressed.stream);
      const restored = collector();
      await pipeline(Readable.from([compressed.bytes()]), (await createDecompressor('gzip'))!, restored.stream);
      expect(restored.bytes().equals(input)).toBe(true);
      sizes.push(compressed.bytes().length);
    }
    expect(sizes[8]).toBeLessThan(sizes[0]);
  });

  it('has no compressor for none', async () => {
    expect(await createCompressor({ type: 'none' })).toBeUndefined();
    expect(await createDecompressor('none')).toBeUndefined();
  });
});
