import type { Transform } from 'node:stream';
import zlib from 'node:zlib';
import { ImageError, ImageErrorCode } from './errors.js';
import type { LayerCompression } from './media-types.js';

/** The compression of some bytes, from their first bytes (magic numbers of gzip and zstd). */
export function detectCompression(head: Uint8Array): LayerCompression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

type ZstdZlib = { createZstdDecompress?: () => Transform };

/**
 * A stream that decompresses `compression`, or undefined for `none`. zstd needs a Node.js with zlib zstd
 * (22.15+); elsewhere it fails with IMAGE_UNSUPPORTED_COMPRESSION.
 */
export function decompressor(compression: LayerCompression): Transform | undefined {
  if (compression === 'none') return undefined;
  if (compression === 'gzip') return zlib.createGunzip();
  const create = (zlib as unknown as ZstdZlib).createZstdDecompress;
  if (!create) {
    throw new ImageError(ImageErrorCode.UnsupportedCompression, `zstd-compressed content needs Node.js 22.15 or later (this is ${process.version}); use gzip layers`);
  }
  return create();
}
