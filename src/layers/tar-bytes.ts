/**
 * The uncompressed tar bytes of planned entries, produced lazily: headers from the encoder, file contents
 * read from disk in bounded chunks (small files opened a few entries ahead), small pieces batched.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { InvalidLayerChangeError, SourceChangedError } from './errors.js';
import type { PlannedEntry } from './layer-plan.js';
import { END_OF_ARCHIVE, contentPadding, encodeTarHeader } from './tar-header.js';

const READ_CHUNK_SIZE = 1024 * 1024;
/** Small pieces (headers, small files) are gathered into chunks of this size before flowing downstream. */
const BATCH_SIZE = 64 * 1024;

/** The uncompressed tar stream of planned entries. */
export async function* tarBytes(entries: readonly PlannedEntry[]): AsyncGenerator<Buffer, void, undefined> {
  const batch = new Batch();
  const sources = new SourcePrefetcher(entries);
  try {
    for (let index = 0; index < entries.length; index++) {
      const { header, content } = entries[index];
      if (content === undefined) {
        yield* batch.add(encodeTarHeader(header));
      } else if (typeof content !== 'string') {
        yield* batch.add(encodeTarHeader({ ...header, size: content.byteLength }));
        yield* batch.add(Buffer.from(content.buffer, content.byteOffset, content.byteLength));
        yield* batch.add(contentPadding(content.byteLength));
      } else {
        const source = await sources.take(index);
        try {
          yield* batch.add(encodeTarHeader({ ...header, size: source.size }));
          if (source.bytes) yield* batch.add(source.bytes);
          else yield* streamFile(source, content, batch);
          yield* batch.add(contentPadding(source.size));
        } finally {
          await source.handle?.close();
        }
      }
    }
    yield* batch.add(END_OF_ARCHIVE);
    yield* batch.flush();
  } finally {
    await sources.close();
  }
}

/** A source file opened (and, when small, read whole) ahead of its turn. */
interface OpenedSource {
  readonly size: number;
  readonly bytes?: Buffer;
  readonly handle?: FileHandle;
}

/** Files up to this size are read in one go while earlier entries are still being written. */
const PREFETCH_WHOLE_FILE_SIZE = 256 * 1024;
/** How many file entries ahead are opened; bounds memory to about this × PREFETCH_WHOLE_FILE_SIZE. */
const PREFETCH_DEPTH = 16;

/**
 * Opens the sources of upcoming file entries concurrently, so many small files are not read one slow
 * round trip after another. The output order is untouched: entries are taken strictly in order.
 */
class SourcePrefetcher {
  private readonly pending = new Map<number, Promise<OpenedSource>>();
  private nextToOpen = 0;

  constructor(private readonly entries: readonly PlannedEntry[]) {}

  async take(index: number): Promise<OpenedSource> {
    this.fill(index);
    const opened = this.pending.get(index)!;
    this.pending.delete(index);
    this.fill(index + 1);
    return opened;
  }

  async close(): Promise<void> {
    const leftovers = [...this.pending.values()];
    this.pending.clear();
    await Promise.all(leftovers.map((opened) => opened.then((source) => source.handle?.close(), () => undefined)));
  }

  private fill(from: number): void {
    this.nextToOpen = Math.max(this.nextToOpen, from);
    while (this.nextToOpen < this.entries.length && this.pending.size < PREFETCH_DEPTH) {
      const index = this.nextToOpen++;
      const { header, content } = this.entries[index];
      if (typeof content !== 'string') continue;
      const opened = openSource(header.name, content);
      opened.catch(() => undefined); // awaited by take(); this only keeps an early failure from going unhandled
      this.pending.set(index, opened);
    }
  }
}

async function openSource(name: string, sourcePath: string): Promise<OpenedSource> {
  let handle: FileHandle;
  try {
    handle = await open(sourcePath, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new SourceChangedError(sourcePath, 'the file no longer exists');
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new InvalidLayerChangeError(name, `source '${sourcePath}' is not a regular file`);
    if (stat.size > PREFETCH_WHOLE_FILE_SIZE) return { size: stat.size, handle };
    const bytes = Buffer.allocUnsafe(stat.size);
    let position = 0;
    while (position < stat.size) {
      const { bytesRead } = await handle.read(bytes, position, stat.size - position, position);
      if (bytesRead === 0) throw new SourceChangedError(sourcePath, `expected ${stat.size} bytes, the file ended after ${position}`);
      position += bytesRead;
    }
    await handle.close();
    return { size: stat.size, bytes };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

async function* streamFile(source: OpenedSource, sourcePath: string, batch: Batch): AsyncGenerator<Buffer, void, undefined> {
  const handle = source.handle!;
  for (let position = 0; position < source.size; ) {
    const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK_SIZE, source.size - position));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
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
