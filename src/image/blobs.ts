import { pipeline, Readable } from 'node:stream';
import { digestOf, readAll, verifyingStream, type ExpectedContent } from './digest.js';
import { BlobNotFoundError, BlobVerificationError, ImageError, ImageErrorCode } from './errors.js';
import { maxDocumentSize } from './documents.js';
import type { Descriptor } from './types.js';

/**
 * Where blobs come from and go to. An OCI layout, an OCI archive, a docker-archive and the content store are all
 * sources; a layout directory and the content store are also sinks. Copying, exporting and pruning are written
 * against these two interfaces only.
 */
export interface BlobSource {
  /**
   * Opens a blob's bytes, as stored (not yet verified: read through `openVerifiedBlob` or `readBlob`). Rejects with
   * BlobNotFoundError when the source does not hold it.
   */
  openBlob(descriptor: Descriptor): Promise<Readable>;
  /**
   * Optional, for sources that read a whole small blob more cheaply than through a stream (files): its bytes as
   * stored, not yet verified. Rejects like openBlob, and past `maxSize` bytes with IMAGE_BLOB_TOO_LARGE naming the
   * blob as `what`.
   */
  readSmallBlob?(descriptor: Descriptor, maxSize: number, what: string): Promise<Buffer>;
}

export interface BlobSink {
  hasBlob(digest: string): Promise<boolean>;
  /** Stores a blob, verifying its digest (and size, when given) before it becomes visible. */
  putBlob(content: Readable | Uint8Array, expected: ExpectedContent): Promise<unknown>;
}

/** Opens a blob through a verifier: the stream fails at its end if the bytes are not what the descriptor says. */
export async function openVerifiedBlob(source: BlobSource, descriptor: Descriptor): Promise<Readable> {
  const embedded = embeddedData(descriptor);
  const raw = embedded ? Readable.from([embedded]) : await source.openBlob(descriptor);
  const verifier = verifyingStream(descriptor, `blob ${descriptor.digest} (${descriptor.mediaType})`);
  return pipeline(raw, verifier, () => undefined);
}

/** Reads a whole (JSON-sized) blob into memory, verified. */
export async function readBlob(source: BlobSource, descriptor: Descriptor, maxSize = maxDocumentSize): Promise<Buffer> {
  const what = `blob ${descriptor.digest} (${descriptor.mediaType})`;
  const embedded = embeddedData(descriptor);
  if (embedded) return embedded;
  if (descriptor.size > maxSize) throw new ImageError(ImageErrorCode.BlobTooLarge, `${what} is ${descriptor.size} bytes, more than the ${maxSize} read into memory`);
  const bytes = await readStoredBytes(source, descriptor, maxSize, what);
  checkBytes(bytes, descriptor, what);
  return bytes;
}

/** A whole blob as stored (not verified): through the source's readSmallBlob when it has one, else its stream. */
export async function readStoredBytes(source: BlobSource, descriptor: Descriptor, maxSize: number, what: string): Promise<Buffer> {
  if (source.readSmallBlob) return source.readSmallBlob(descriptor, maxSize, what);
  return readAll(await source.openBlob(descriptor), maxSize, what);
}

function checkBytes(bytes: Buffer, expected: ExpectedContent, what: string): void {
  if (expected.size !== undefined && bytes.length !== expected.size) {
    throw new BlobVerificationError(ImageErrorCode.SizeMismatch, what, String(expected.size), String(bytes.length));
  }
  const actual = digestOf(bytes, expected.digest.startsWith('sha512:') ? 'sha512' : 'sha256');
  if (actual !== expected.digest) throw new BlobVerificationError(ImageErrorCode.DigestMismatch, what, expected.digest, actual);
}

/** A descriptor's embedded `data`, verified, or undefined when it has none. */
function embeddedData(descriptor: Descriptor): Buffer | undefined {
  if (descriptor.data === undefined) return undefined;
  const bytes = Buffer.from(descriptor.data, 'base64');
  checkBytes(bytes, descriptor, `embedded data of ${descriptor.digest}`);
  return bytes;
}

/** Blobs held in memory: documents made on the fly (a docker-archive's synthesised manifest), small images in tests. */
export class MemoryBlobs implements BlobSource, BlobSink {
  private readonly blobs = new Map<string, Buffer>();
  private readonly fallback: BlobSource | undefined;

  /** `fallback` serves what this one does not hold. */
  constructor(fallback?: BlobSource) {
    this.fallback = fallback;
  }

  /** Adds bytes under their sha256 digest, which it returns. */
  add(bytes: Uint8Array): string {
    const digest = digestOf(bytes);
    this.blobs.set(digest, Buffer.from(bytes));
    return digest;
  }

  async hasBlob(digest: string): Promise<boolean> {
    return this.blobs.has(digest);
  }

  async putBlob(content: Readable | Uint8Array, expected: ExpectedContent): Promise<void> {
    const what = `blob ${expected.digest}`;
    const bytes = content instanceof Uint8Array ? Buffer.from(content) : await readAll(content, Number.MAX_SAFE_INTEGER, what);
    checkBytes(bytes, expected, what);
    this.blobs.set(expected.digest, bytes);
  }

  async openBlob(descriptor: Descriptor): Promise<Readable> {
    const bytes = this.blobs.get(descriptor.digest);
    if (bytes) return Readable.from([bytes]);
    if (this.fallback) return this.fallback.openBlob(descriptor);
    throw new BlobNotFoundError(descriptor.digest, 'memory');
  }
}
