import type { Writable } from 'node:stream';
import type { ContentStore } from '../cache/index.js';
import { ImageError, type Descriptor, type WrittenContent } from '../image/index.js';
import type { RegistryClient } from './client.js';
import { RegistryError, RegistryErrorCode } from './errors.js';
import { formatReference, type RegistryReference } from './reference.js';
import { isTransientError, retrying } from './retry.js';
import { networkReason } from './transport.js';

/**
 * Downloads a blob into the content store, streamed through the store's blob writer (which hashes it into a temp
 * file and renames it into place only when digest and size match: a mismatch keeps nothing). When the connection
 * breaks mid-blob, the download resumes where it stopped with an HTTP Range request if the registry honours it
 * (206), and starts over otherwise; after the retry policy's retries it fails and drops what it had.
 */
export async function downloadBlob(client: RegistryClient, reference: RegistryReference, descriptor: Descriptor, store: ContentStore): Promise<WrittenContent> {
  const what = `blob ${descriptor.digest} of ${formatReference(reference)}`;
  const request = client.requestFor(reference, false);
  let writer = await store.createBlobWriter({ digest: descriptor.digest, size: descriptor.size });
  let received = 0;
  try {
    await retrying(client.transport.retryPolicy, async (retry, failures) => {
      // A registry that ignored the Range is asked again at once: that is a restart, not a failure.
      for (;;) {
        const headers: Record<string, string> = {};
        if (received > 0) headers.Range = `bytes=${received}-`;
        const { response, body } = await client.transport.requestStream({ ...request, method: 'GET', path: `/v2/${reference.repository}/blobs/${descriptor.digest}`, headers });
        if (response.status === 404) {
          const error = await client.transport.statusError(request, response, what);
          throw new RegistryError(RegistryErrorCode.NotFound, `${what} is missing in registry ${reference.registry}: ${error.message}`, { registry: reference.registry, reference: request.reference, status: 404 });
        }
        if (response.status !== 200 && response.status !== 206) throw await client.transport.statusError(request, response, what);
        if (received > 0 && (response.status !== 206 || rangeStart(response) !== received)) {
          // The registry sent the whole blob again: start over.
          await writer.abort();
          writer = await store.createBlobWriter({ digest: descriptor.digest, size: descriptor.size });
          received = 0;
          if (response.status === 206) {
            body?.destroy();
            continue;
          }
        }
        const pending = new ChunkBatch(storeWriteSize);
        try {
          for await (const chunk of (body ?? []) as AsyncIterable<Uint8Array>) {
            received += chunk.length;
            const batch = pending.add(chunk);
            if (batch) await write(writer.stream, batch);
          }
          const rest = pending.take();
          if (rest) await write(writer.stream, rest);
          if (received >= descriptor.size) return;
          throw Object.assign(new Error(`the registry ended the blob after ${received} of ${descriptor.size} bytes`), { code: 'ECONNRESET' });
        } catch (error) {
          // What arrived before the failure is good: keep it, so that a resumed download starts after it.
          const rest = pending.take();
          if (rest && !writer.stream.destroyed) await write(writer.stream, rest).catch(() => undefined);
          if (writer.stream.destroyed) return; // the store refused the content: commit() says why
          if (retry && isTransientError(error)) return retry();
          throw new RegistryError(
            RegistryErrorCode.Unreachable,
            `downloading ${what} from registry ${reference.registry} failed after ${failures + 1} attempt${failures === 0 ? '' : 's'}: ${networkReason(error)}; nothing was kept`,
            { registry: reference.registry, reference: request.reference },
          );
        }
      }
    });
    return await writer.commit().catch((error: unknown) => {
      if (error instanceof ImageError) {
        throw new RegistryError(RegistryErrorCode.DigestMismatch, `${what} from registry ${reference.registry} is not what its descriptor says: ${error.message}; nothing was kept`, {
          registry: reference.registry,
          reference: request.reference,
          cause: error,
        });
      }
      throw error;
    });
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/**
 * How much of a body is gathered before it goes to the store. It arrives in socket-sized chunks (16 to 64 KiB), and
 * each file write costs the main thread a threadpool round trip: 1 MiB writes cut the main thread's time of a pull by
 * about a quarter.
 */
const storeWriteSize = 1024 * 1024;

/** Chunks gathered into batches of at least `size` bytes. */
class ChunkBatch {
  private chunks: Uint8Array[] = [];
  private length = 0;

  constructor(private readonly size: number) {}

  /** Adds a chunk; returns a batch when there is a full one. */
  add(chunk: Uint8Array): Buffer | undefined {
    this.chunks.push(chunk);
    this.length += chunk.length;
    return this.length >= this.size ? this.take() : undefined;
  }

  /** What is gathered, if anything, and starts a new batch. */
  take(): Buffer | undefined {
    if (this.length === 0) return undefined;
    const batch = Buffer.concat(this.chunks, this.length);
    this.chunks = [];
    this.length = 0;
    return batch;
  }
}

/** Writes a chunk, waiting while the consumer is behind; stops at once if the consumer has failed. */
async function write(stream: Writable, chunk: Uint8Array): Promise<void> {
  if (stream.destroyed) throw new Error('the store stopped reading');
  if (stream.write(chunk)) return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
  if (stream.destroyed) throw new Error('the store stopped reading');
}

/** The first byte position of a 206 answer's Content-Range (`bytes 100-199/200`). */
function rangeStart(response: Response): number | undefined {
  const match = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '');
  return match ? Number(match[1]) : undefined;
}

