/**
 * Layer compression: options, media types, compressors, and detection of a layer's compression from its
 * first bytes.
 */
import type { Duplex, TransformOptions } from 'node:stream';
import { constants as zlibConstants, createGunzip, createGzip, type ZlibOptions } from 'node:zlib';
import { InvalidCompressionError, UnsupportedCompressionError } from './errors.js';
import { assertZstdAvailable, createZstdCompressor, createZstdDecompressor } from './zstd-process.js';

export type LayerCompression = { type: 'gzip'; level?: number } | { type: 'zstd'; level?: number } | { type: 'none' };

export type CompressionType = LayerCompression['type'];

export const LayerMediaType = {
  none: 'application/vnd.oci.image.layer.v1.tar',
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const satisfies Record<CompressionType, string>;

export type LayerMediaType = (typeof LayerMediaType)[CompressionType];

export const DEFAULT_GZIP_LEVEL = 6;
export const DEFAULT_ZSTD_LEVEL = 3;

/**
 * zlib runs on the libuv threadpool, one call per output buffer, each call a round trip through the main thread.
 * 256 KiB output buffers (the default is 16 KiB) make those round trips rare, so the compressor thread is rarely
 * left waiting on a main thread busy reading and hashing (or serving a second layer): measured in bench/layers.
 */
const GZIP_CHUNK_SIZE = 256 * 1024;
/** Tar bytes queued ahead of the compressor (zlib streams take this as they take any stream option). */
const GZIP_INPUT_BUFFER = 2 * 1024 * 1024;

/** The compressor for `compression`, or undefined for none. Throws typed errors for bad levels or missing zstd. */
export async function createCompressor(compression: LayerCompression): Promise<Duplex | undefined> {
  switch (compression.type) {
    case 'none':
      return undefined;
    case 'gzip': {
      // Every parameter pinned so the bytes depend only on the level (and the zlib version). The buffer sizes
      // change how the work is cut up, never the bytes.
      const options: ZlibOptions & Pick<TransformOptions, 'writableHighWaterMark'> = {
        level: checkedLevel('gzip', compression.level ?? DEFAULT_GZIP_LEVEL, 1, 9),
        memLevel: 8,
        windowBits: 15,
        strategy: zlibConstants.Z_DEFAULT_STRATEGY,
        chunkSize: GZIP_CHUNK_SIZE,
        writableHighWaterMark: GZIP_INPUT_BUFFER,
      };
      return createGzip(options);
    }
    case 'zstd': {
      const level = checkedLevel('zstd', compression.level ?? DEFAULT_ZSTD_LEVEL, 1, 22);
      await assertZstdAvailable();
      return createZstdCompressor(level);
    }
    default:
      throw new InvalidCompressionError(`unknown compression type '${(compression as { type: unknown }).type}'`);
  }
}

export async function createDecompressor(type: CompressionType): Promise<Duplex | undefined> {
  switch (type) {
    case 'none':
      return undefined;
    case 'gzip':
      return createGunzip();
    case 'zstd':
      await assertZstdAvailable();
      return createZstdDecompressor();
  }
}

/** Bytes needed by `detectCompression`. */
export const COMPRESSION_MAGIC_LENGTH = 6;

/** The compression of a layer from its first bytes; anything unrecognised is taken for a plain tar. */
export function detectCompression(head: Uint8Array): CompressionType {
  const startsWith = (...bytes: number[]) => bytes.every((byte, i) => head[i] === byte);
  if (startsWith(0x1f, 0x8b)) return 'gzip';
  if (startsWith(0x28, 0xb5, 0x2f, 0xfd)) return 'zstd';
  if (startsWith(0x42, 0x5a, 0x68)) throw new UnsupportedCompressionError('bzip2');
  if (startsWith(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) throw new UnsupportedCompressionError('xz');
  return 'none';
}

export function mediaTypeFor(compression: LayerCompression): LayerMediaType {
  return LayerMediaType[compression.type];
}

function checkedLevel(type: string, level: number, min: number, max: number): number {
  if (!Number.isInteger(level) || level < min || level > max) {
    throw new InvalidCompressionError(`${type} level must be an integer from ${min} to ${max}, got ${level}`);
  }
  return level;
}
