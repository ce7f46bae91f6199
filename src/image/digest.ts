import { createHash, type Hash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { BlobVerificationError, ImageError, ImageErrorCode } from './errors.js';

/** Digest algorithms of the OCI image spec that this package verifies. sha256 is what it writes. */
export type DigestAlgorithm = 'sha256' | 'sha512';

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  /** Lower-case hex. */
  hex: string;
}

const hexLength: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };
const digestPattern = /^(sha256|sha512):([a-f0-9]+)$/;

/** Splits `sha256:<hex>`; throws an ImageError (IMAGE_INVALID_DIGEST) for anything else. */
export function parseDigest(digest: string): ParsedDigest {
  const match = digestPattern.exec(digest);
  if (match) {
    const algorithm = match[1] as DigestAlgorithm;
    if (match[2].length === hexLength[algorithm]) return { algorithm, hex: match[2] };
  }
  throw new ImageError(ImageErrorCode.InvalidDigest, `"${digest}" is not a valid digest (expected sha256:<64 lower-case hex digits> or sha512:<128>)`);
}

export function isDigest(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = digestPattern.exec(value);
  return match !== null && match[2].length === hexLength[match[1] as DigestAlgorithm];
}

/** The digest of some bytes (sha256 unless told). */
export function digestOf(data: Uint8Array | string, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/** `blobs/<algorithm>/<hex>`: where an image layout (and the content store) keeps a blob. */
export function blobPath(digest: string): string {
  const { algorithm, hex } = parseDigest(digest);
  return `blobs/${algorithm}/${hex}`;
}

/** Incremental hashing that also counts bytes. */
export class Digester {
  readonly algorithm: DigestAlgorithm;
  private readonly hash: Hash;
  private count = 0;

  constructor(algorithm: DigestAlgorithm = 'sha256') {
    this.algorithm = algorithm;
    this.hash = createHash(algorithm);
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.count += chunk.length;
  }

  get size(): number {
    return this.count;
  }

  /** The digest; call once, after the last update. */
  digest(): string {
    return `${this.algorithm}:${this.hash.digest('hex')}`;
  }
}

/** What a verifier checks: the digest, and the size when known. */
export interface ExpectedContent {
  digest: string;
  size?: number;
}

/**
 * A pass-through stream that fails (BlobVerificationError) when the bytes through it exceed the expected size, or at
 * the end when their digest or size differ from the expected ones. `what` names the content in the message.
 */
export function verifyingStream(expected: ExpectedContent, what: string): Transform {
  const { algorithm } = parseDigest(expected.digest);
  const digester = new Digester(algorithm);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      digester.update(chunk);
      if (expected.size !== undefined && digester.size > expected.size) {
        callback(new BlobVerificationError(ImageErrorCode.SizeMismatch, what, String(expected.size), `more than ${expected.size} bytes`));
        return;
      }
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      callback(verificationError(expected, digester, what));
    },
  });
}

/** The verification error for what a digester saw, or null when it matches. */
export function verificationError(expected: ExpectedContent, digester: Digester, what: string): BlobVerificationError | null {
  if (expected.size !== undefined && digester.size !== expected.size) {
    return new BlobVerificationError(ImageErrorCode.SizeMismatch, what, String(expected.size), String(digester.size));
  }
  const actual = digester.digest();
  if (actual !== expected.digest) return new BlobVerificationError(ImageErrorCode.DigestMismatch, what, expected.digest, actual);
  return null;
}

/** Reads a whole stream into memory, failing with IMAGE_BLOB_TOO_LARGE past `maxSize` bytes. */
export async function readAll(stream: Readable, maxSize: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    if (total > maxSize) {
      stream.destroy();
      throw blobTooLargeError(what, maxSize);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, total);
}

/** What readAll (and the other whole-content readers) throw for content past their limit: IMAGE_BLOB_TOO_LARGE. */
export function blobTooLargeError(what: string, maxSize: number): ImageError {
  return new ImageError(ImageErrorCode.BlobTooLarge, `${what} is larger than ${maxSize} bytes, the limit for JSON documents`);
}
