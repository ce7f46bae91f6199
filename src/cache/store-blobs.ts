import { createReadStream, statSync, utimesSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable, type Writable } from 'node:stream';
import { parseDigest, readAll, readSmallFile, writeVerifiedTemp, type BlobContent, type ExpectedContent, type WrittenContent } from '../image/index.js';
import { StoreError, StoreErrorCode } from './errors.js';
import type { Lease } from './lease.js';
import { ownedName } from './owner.js';
import type { StoreLayout } from './store-layout.js';
import type { StoreLock } from './store-lock.js';

/** What the blob and snapshot functions of a store share. */
export interface StoreContext {
  layout: StoreLayout;
  lock: StoreLock;
  /** fsync blobs before they are renamed into place. */
  durable: boolean;
}

/** A blob's size, or undefined when the store does not hold it. */
export async function blobSize(context: StoreContext, digest: string): Promise<number | undefined> {
  const file = context.layout.blob(digest);
  try {
    const info = statSync(file);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

export async function openStoreBlob(context: StoreContext, digest: string): Promise<Readable> {
  const file = context.layout.blob(digest);
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'ENOENT' ? blobNotFound(context, digest) : error;
  });
  return createReadStream(file, { fd: handle, autoClose: true });
}

/** A whole blob of at most `maxSize` bytes (`what` names it in the error past that), read without a stream. */
export async function readStoreBlob(context: StoreContext, digest: string, maxSize: number, what: string): Promise<Buffer> {
  let bytes: Buffer | undefined;
  try {
    bytes = readSmallFile(context.layout.blob(digest), maxSize, what);
  } catch (error) {
    throw (error as NodeJS.ErrnoException).code === 'ENOENT' ? blobNotFound(context, digest) : error;
  }
  // Not a regular file (nothing the store writes): read it as before, through a stream.
  return bytes ?? readAll(await openStoreBlob(context, digest), maxSize, what);
}

function blobNotFound(context: StoreContext, digest: string): StoreError {
  return new StoreError(StoreErrorCode.BlobNotFound, `blob ${digest} is not in the store ${context.layout.root}`);
}

/**
 * Stores a blob: written to a temp file in the store's tmp/ while hashed, verified against the expected digest and
 * size, then (under the lock, after the lease records it) renamed to blobs/<alg>/<hex>. A blob the store already
 * holds is not written again (its stream is discarded); it is leased and its mtime refreshed.
 */
export async function putStoreBlob(context: StoreContext, lease: Lease | undefined, content: BlobContent, expected?: ExpectedContent): Promise<WrittenContent> {
  const { layout, lock } = context;
  if (expected) {
    parseDigest(expected.digest);
    const existing = await lock.withLock(async () => {
      const size = await blobSize(context, expected.digest);
      if (size === undefined || (expected.size !== undefined && size !== expected.size)) return undefined;
      await lease?.add({ blobs: [expected.digest] });
      touch(layout.blob(expected.digest));
      return { digest: expected.digest, size };
    });
    if (existing) {
      if (content instanceof Readable) content.destroy();
      return existing;
    }
  }
  const temp = path.join(layout.tmp, ownedName('.blob'));
  const written = await writeVerifiedTemp(content, temp, { expected, durable: context.durable });
  try {
    await lock.withLock(async () => {
      await lease?.add({ blobs: [written.digest] });
      const target = layout.blob(written.digest);
      if ((await blobSize(context, written.digest)) === written.size) {
        touch(target);
        return;
      }
      await mkdir(path.dirname(target), { recursive: true });
      await rename(temp, target);
    });
  } finally {
    await rm(temp, { force: true });
  }
  return written;
}

/** A writable end for producers that push bytes (a layer writer): `commit()` ends it and stores the blob. */
export interface BlobWriter {
  stream: Writable;
  /** Ends the stream and resolves when the blob is stored (rejects if it does not verify). */
  commit(): Promise<WrittenContent>;
  /** Drops what was written. */
  abort(): Promise<void>;
}

export function createStoreBlobWriter(context: StoreContext, lease: Lease | undefined, expected?: ExpectedContent): BlobWriter {
  const stream = new PassThrough();
  // The consumer may not be reading yet when the producer fails or aborts: the error reaches it through the
  // stream's state, not this listener.
  stream.on('error', () => undefined);
  const stored = putStoreBlob(context, lease, stream, expected);
  stored.catch(() => undefined);
  return {
    stream,
    commit: async () => {
      if (!stream.writableEnded) stream.end();
      return stored;
    },
    abort: async () => {
      stream.destroy(new Error('blob write aborted'));
      await stored.catch(() => undefined);
    },
  };
}

function touch(file: string): void {
  const now = new Date();
  try {
    utimesSync(file, now, now);
  } catch {
    // best effort: the mtime only tells prune the blob was used
  }
}
