import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { ByteDigest } from '../../src/layers/digest-stream.js';
import { collector } from './helpers.js';

describe('ByteDigest', () => {
  it('hashes and counts what flows through its stage without changing it', async () => {
    const parts = [Buffer.from('abc'), Buffer.alloc(100_000, 1), Buffer.from('z')];
    const digest = new ByteDigest();
    const out = collector();
    await pipeline(Readable.from(parts), digest.stage(), out.stream);
    const all = Buffer.concat(parts);
    expect(out.bytes().equals(all)).toBe(true);
    expect(digest.bytes).toBe(all.length);
    expect(digest.digest()).toBe(`sha256:${createHash('sha256').update(all).digest('hex')}`);
  });
});
