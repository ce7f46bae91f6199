/**
 * The uncompressed tar bytes of planned entries, produced lazily: headers from the encoder, file contents read
 * from disk (small files whole, large ones in bounded chunks), small pieces batched.
 */
import { close, closeSync, constants as fsConstants, fstatSync, openSync, read, readSync } from 'node:fs';
import { promisify } from 'node:util';
import { InvalidLayerChangeError, SourceChangedError } from './errors.js';
import type { PlannedEntry } from './layer-plan.js';
import { END_OF_ARCHIVE, contentPadding, encodeTarHeader } from './tar-header.js';

const READ_CHUNK_SIZE = 1024 * 1024;
/** Small pieces (headers, small files) are gathered into chunks of this size before flowing downstream. */
const BATCH_SIZE = 64 * 1024;
/** Files up to this size are read whole, at once, when their turn comes; larger ones are streamed. */
const SMALL_FILE_SIZE = 256 * 1024;

/** Non-blocking, so that a source replaced by a FIFO fails the regular-file check instead of hanging the open. */
const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0);

const readAsync = promisify(read);
const closeAsync = promisify(close);

/** The uncompressed tar stream of planned entries. */
export async function* tarBytes(entries: readonly PlannedEntry[]): AsyncGenerator<Buffer, void, undefined> {
  const batch = new Batch();
  for (const { header, content } of entries) {
    if (content === undefined) {
      yield* batch.add(encodeTarHeader(header));
    } else if (typeof content !== 'string') {
      yield* batch.add(encodeTarHeader({ ...header, size: content.byteLength }));
      yield* batch.add(Buffer.from(content.buffer, content.byteOffset, content.byteLength));
      yield* batch.add(contentPadding(content.byteLength));
    } else {
      const source = openSource(header.name, content);
      try {
        yield* batch.add(encodeTarHeader({ ...header, size: source.size }));
        if (source.bytes) yield* batch.add(source.bytes);
        else yield* streamFile(source, content, batch);
        yield* batch.add(contentPadding(source.size));
      } finally {
        if (source.fd !== undefined) await closeAsync(source.fd);
      }
    }
  }
  yield* batch.add(END_OF_ARCHIVE);
  yield* batch.flush();
}

/** A source file, opened: its bytes when small (and then already closed), else its descriptor to stream from. */
interface OpenedSource {
  readonly size: number;
  readonly bytes?: Buffer;
  readonly fd?: number;
}

/**
 * Opens a source file and, when small, reads it whole, with synchronous calls. Deliberately: each asynchronous
 * fs call is a round trip through the libuv threadpool that costs the main thread more than the system call itself
 * (bench/layers measured 70 to 130 µs of main-thread time per small file read asynchronously, 16 µs read
 * synchronously, on 2 cores), and the main thread is what feeds the compressor; with two layers written at once it
 * is what limits them. Layers are written from local trees (build contexts, snapshots) whose small files are
 * mostly in the page cache, so a call blocks the event loop for microseconds; large files are streamed
 * asynchronously, in chunks that amortise the round trips.
 */
function openSource(name: string, sourcePath: string): OpenedSource {
  let fd: number;
  try {
    fd = openSync(sourcePath, OPEN_FLAGS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new SourceChangedError(sourcePath, 'the file no longer exists');
    throw error;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new InvalidLayerChangeError(name, `source '${sourcePath}' is not a regular file`);
    if (stat.size > SMALL_FILE_SIZE) return { size: stat.size, fd };
    const bytes = Buffer.allocUnsafe(stat.size);
    let position = 0;
    while (position < stat.size) {
      const bytesRead = readSync(fd, bytes, position, stat.size - position, position);
      if (bytesRead === 0) throw new SourceChangedError(sourcePath, `expected ${stat.size} bytes, the file ended after ${position}`);
      position += bytesRead;
    }
    closeSync(fd);
    return { size: stat.size, bytes };
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // already failing
    }
    throw error;
  }
}

async function* streamFile(source: OpenedSource, sourcePath: string, batch: Batch): AsyncGenerator<Buffer, void, undefined> {
  const fd = source.fd!;
  for (let position = 0; position < source.size; ) {
    const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK_SIZE, source.size - position));
    const { bytesRead } = await readAsync(fd, buffer, 0, buffer.length, position);
    if (bytesRead === 0) throw new SourceChangedError(sourcePath, `expected ${source.size} bytes, the file ended after ${position}`);
    position += bytesRead;
    yield* batch.add(bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead));
  }
}

class Batch {
  private parts: Buffer[] = [];
  private bytes = 0;

  *add(piece: Buffer): Generator<Buffer, void, undefined> {
    if (piece.length === 0) return;
    if (piece.length >= BATCH_SIZE) {
      yield* this.flush();
      yield piece;
      return;
    }
    this.parts.push(piece);
    this.bytes += piece.length;
    if (this.bytes >= BATCH_SIZE) yield* this.flush();
  }

  *flush(): Generator<Buffer, void, undefined> {
    if (this.bytes === 0) return;
    const joined = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.bytes);
    this.parts = [];
    this.bytes = 0;
    yield joined;
  }
}
