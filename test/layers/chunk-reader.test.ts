import { describe, expect, it } from 'vitest';
import { ChunkReader } from '../../src/layers/chunk-reader.js';
import { CorruptLayerError } from '../../src/layers/errors.js';
import { chunksOf } from './helpers.js';

describe('ChunkReader', () => {
  const bytes = Buffer.from(Array.from({ length: 100 }, (_, i) => i));

  it('reads exact counts across chunk boundaries', async () => {
    const reader = new ChunkReader(chunksOf(bytes, 7));
    expect([...(await reader.readExactly(10))!]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const streamed: number[] = [];
    for await (const chunk of reader.stream(20)) streamed.push(...chunk);
    expect(streamed).toEqual(Array.from({ length: 20 }, (_, i) => i + 10));
    await reader.skip(60);
    expect([...(await reader.readExactly(10))!]).toEqual([90, 91, 92, 93, 94, 95, 96, 97, 98, 99]);
    expect(await reader.readExactly(512)).toBeNull();
  });

  it('fails with a typed error when the input ends inside a read', async () => {
    await expect(new ChunkReader(chunksOf(bytes, 30)).readExactly(101)).rejects.toBeInstanceOf(CorruptLayerError);
    const reader = new ChunkReader(chunksOf(bytes, 30));
    await expect(reader.skip(200)).rejects.toBeInstanceOf(CorruptLayerError);
  });

  it('drains and counts what is left', async () => {
    const reader = new ChunkReader(chunksOf(bytes, 9));
    await reader.readExactly(5);
    expect(await reader.drain()).toBe(95);
  });
});
