import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { CompressionUnavailableError, CorruptLayerError } from '../../src/layers/errors.js';
import { createZstdCompressor, createZstdDecompressor, isZstdAvailable } from '../../src/layers/zstd-process.js';
import { collector, zstdPresent } from './helpers.js';

describe.runIf(zstdPresent('zstd-process tests'))('zstd through the CLI', () => {
  it('reports the CLI as available', async () => {
    expect(await isZstdAvailable()).toBe(true);
  });

  it('round-trips a stream larger than the pipe buffers, with the zstd magic in front', async () => {
    const input = Buffer.concat([randomBytes(3 * 1024 * 1024), Buffer.alloc(3 * 1024 * 1024, 1)]);
    const compressed = collector();
    await pipeline(Readable.from(chunks(input, 100_000)), createZstdCompressor(3), compressed.stream);
    expect(compressed.bytes().subarray(0, 4).toString('hex')).toBe('28b52ffd');
    const restored = collector();
    await pipeline(Readable.from([compressed.bytes()]), createZstdDecompressor(), restored.stream);
    expect(restored.bytes().equals(input)).toBe(true);
  });

  it('gives the same bytes for the same input and level', async () => {
    const input = Buffer.from('same '.repeat(100_000));
    const outputs: Buffer[] = [];
    for (let i = 0; i < 2; i++) {
      const compressed = collector();
      await pipeline(Readable.from([input]), createZstdCompressor(19), compressed.stream);
      outputs.push(compressed.bytes());
    }
    expect(outputs[0].equals(outputs[1])).toBe(true);
  });

  it('fails with a typed error on damaged input', async () => {
    const garbage = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(100, 0xee)]);
    await expect(pipeline(Readable.from([garbage]), createZstdDecompressor(), collector().stream)).rejects.toBeInstanceOf(CorruptLayerError);
  });
});

describe('zstd without the CLI', () => {
  it('fails with a typed "unavailable" error when the zstd command cannot be found', async () => {
    const savedPath = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const failure = pipeline(Readable.from([Buffer.from('x')]), createZstdCompressor(3), collector().stream);
      await expect(failure).rejects.toBeInstanceOf(CompressionUnavailableError);
      await expect(failure).rejects.toThrow(/unavailable/);
    } finally {
      process.env.PATH = savedPath;
    }
  });
});

function* chunks(bytes: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}
