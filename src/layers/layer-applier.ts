/**
 * Applies a layer (gzip, zstd or uncompressed, detected from its first bytes) onto a directory in one
 * streaming pass, computing its diffID on the way.
 */
import { createReadStream } from 'node:fs';
import { mkdir, realpath } from 'node:fs/promises';
import { PassThrough, type Duplex, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { COMPRESSION_MAGIC_LENGTH, createDecompressor, detectCompression, type CompressionType } from './compression.js';
import { ByteDigest, type Sha256Digest } from './digest-stream.js';
import { EntryApplier, type EntryApplierOptions, type EntryStats } from './entry-applier.js';
import { CorruptLayerError, LayerError } from './errors.js';
import { readTarEntries } from './tar-reader.js';

export type ApplyLayerOptions = EntryApplierOptions;

export interface ApplyLayerStats extends Readonly<EntryStats> {
  /** sha256 of the uncompressed tar, computed while applying. */
  readonly diffId: Sha256Digest;
  readonly compression: CompressionType;
  /** Bytes of uncompressed tar. */
  readonly tarSize: number;
}

export type LayerSource = Readable | AsyncIterable<Uint8Array> | string;

/** Applies the (gzip, zstd or uncompressed) layer `source` onto `targetDir`, which is created if missing. */
export async function applyLayer(source: LayerSource, targetDir: string, options: ApplyLayerOptions = {}): Promise<ApplyLayerStats> {
  await mkdir(targetDir, { recursive: true });
  const root = await realpath(targetDir);
  const input: AsyncIterable<Uint8Array> = typeof source === 'string' ? createReadStream(source) : source;
  const iterator = input[Symbol.asyncIterator]();
  let head: Buffer;
  let compression: CompressionType;
  let decompressor: Duplex;
  try {
    head = await readHead(iterator);
    compression = detectCompression(head);
    decompressor = (await createDecompressor(compression)) ?? new PassThrough();
  } catch (error) {
    await iterator.return?.();
    throw error;
  }
  const tar = new ByteDigest();
  const applier = new EntryApplier(root, options);

  async function* replay(): AsyncGenerator<Uint8Array, void, undefined> {
    try {
      if (head.length > 0) yield head;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    } finally {
      await iterator.return?.();
    }
  }

  try {
    await pipeline(replay(), decompressor, tar.stage(), async (tarChunks: AsyncIterable<Uint8Array>) => {
      for await (const entry of readTarEntries(tarChunks)) await applier.apply(entry);
    });
  } catch (error) {
    if (error instanceof LayerError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new CorruptLayerError(`${compression} data is damaged: ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }
  await applier.finish();
  return { ...applier.stats, diffId: tar.digest(), compression, tarSize: tar.bytes };
}

async function readHead(iterator: AsyncIterator<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  while (length < COMPRESSION_MAGIC_LENGTH) {
    const next = await iterator.next();
    if (next.done) break;
    parts.push(Buffer.from(next.value));
    length += next.value.byteLength;
  }
  return Buffer.concat(parts);
}

