/**
 * Pass-through stages that hash and count the bytes flowing by, so digests come from the one pass that
 * writes the data.
 */
import { createHash, type Hash } from 'node:crypto';

export type Sha256Digest = `sha256:${string}`;

export class ByteDigest {
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.bytes += chunk.byteLength;
  }

  digest(): Sha256Digest {
    return `sha256:${this.hash.digest('hex')}`;
  }

  /** A pipeline stage that feeds every chunk to this digest and passes it on unchanged. */
  stage(): (source: AsyncIterable<Uint8Array>) => AsyncGenerator<Uint8Array, void, undefined> {
    const digest = this;
    return async function* digesting(source) {
      for await (const chunk of source) {
        digest.update(chunk);
        yield chunk;
      }
    };
  }
}
