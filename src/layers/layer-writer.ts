/**
 * Writes a layer from a change list in one streaming pass: tar bytes are hashed (diffID) on their way into
 * the compressor, whose output is hashed (digest) and counted on its way to the destination.
 */
import { open, rm } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createCompressor, mediaTypeFor, type LayerCompression, type LayerMediaType } from './compression.js';
import { ByteDigest, type Sha256Digest } from './digest-stream.js';
import type { LayerChange } from './layer-change.js';
import { planLayer } from './layer-plan.js';
import { tarBytes } from './tar-bytes.js';

export interface WriteLayerOptions {
  /** Where the (compressed) layer goes: a stream, which is ended, or a file path, which is replaced. */
  readonly output: Writable | string;
  /** Defaults to gzip at level 6. */
  readonly compression?: LayerCompression;
  /** Clamp every timestamp to this many seconds since the epoch (reproducible builds). */
  readonly sourceDateEpoch?: number;
}

export interface WrittenLayer {
  /** sha256 of the bytes written to the output (the blob). */
  readonly digest: Sha256Digest;
  /** Bytes written to the output. */
  readonly size: number;
  /** sha256 of the uncompressed tar. */
  readonly diffId: Sha256Digest;
  readonly mediaType: LayerMediaType;
}

export async function writeLayer(changes: readonly LayerChange[], options: WriteLayerOptions): Promise<WrittenLayer> {
  const compression = options.compression ?? { type: 'gzip' };
  const entries = planLayer(changes, { sourceDateEpoch: options.sourceDateEpoch });
  const compressor = await createCompressor(compression);
  // The file is opened before the pipeline starts: a stream that opens it itself may still be opening it when an
  // early failure removes it, and then create it after the removal.
  const file = typeof options.output === 'string' ? await open(options.output, 'w') : undefined;
  const output = file ? file.createWriteStream() : (options.output as Writable);
  const tar = new ByteDigest();
  const blob = new ByteDigest();
  try {
    if (compressor) await pipeline(Readable.from(tarBytes(entries), { objectMode: false }), tar.stage(), compressor, blob.stage(), output);
    else await pipeline(Readable.from(tarBytes(entries), { objectMode: false }), tar.stage(), output);
  } catch (error) {
    if (file) {
      await file.close().catch(() => undefined);
      await rm(options.output as string, { force: true });
    }
    throw error;
  }
  const diffId = tar.digest();
  return {
    digest: compressor ? blob.digest() : diffId,
    size: compressor ? blob.bytes : tar.bytes,
    diffId,
    mediaType: mediaTypeFor(compression),
  };
}
