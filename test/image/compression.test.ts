import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decompressor, detectCompression, readAll } from '../../src/image/index.js';

describe('compression', () => {
  it('detects gzip and zstd by magic number', () => {
    expect(detectCompression(zlib.gzipSync('x'))).toBe('gzip');
    expect(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0]))).toBe('zstd');
    expect(detectCompression(Buffer.from('plain tar header'))).toBe('none');
    expect(detectCompression(Buffer.alloc(0))).toBe('none');
  });

  it('decompresses gzip; zstd where Node has it, else a typed error', async () => {
    expect(decompressor('none')).toBeUndefined();
    const gunzip = decompressor('gzip')!;
    expect((await readAll(Readable.from([zlib.gzipSync('hello')]).pipe(gunzip), 100, 'x')).toString()).toBe('hello');
    if ('createZstdDecompress' in zlib) expect(decompressor('zstd')).toBeDefined();
    else expect(() => decompressor('zstd')).toThrow(expect.objectContaining({ code: 'IMAGE_UNSUPPORTED_COMPRESSION' }) as Error);
  });
});
