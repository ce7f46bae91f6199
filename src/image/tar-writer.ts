import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type tar from 'tar-stream';
import { tempName } from './atomic-file.js';

let tarStream: Promise<typeof import('tar-stream')> | undefined;
/** tar-stream is loaded by the first archive written: a build whose output is a layout directory never loads it. */
const loadTarStream = (): Promise<typeof import('tar-stream')> => (tarStream ??= import('tar-stream'));

export interface TarWriterOptions {
  /** Modification time of every member (default: the epoch, for reproducible archives). */
  mtime?: Date;
}

/**
 * Writes an image archive (a tar of regular files, directories and symlinks owned by root) to a temp file beside
 * the target, renamed into place by `finish()`: the target never holds a partial archive.
 */
export class TarFileWriter {
  readonly file: string;
  private readonly temp: string;
  private pack!: tar.Pack;
  private output!: WriteStream;
  private done!: Promise<void>;
  /** Settles once tar-stream is loaded and `pack` and `done` are set; every method awaits it first. */
  private readonly ready: Promise<void>;
  private readonly mtime: Date;
  private failed: unknown;

  private constructor(file: string, options: TarWriterOptions) {
    this.file = path.resolve(file);
    this.temp = path.join(path.dirname(this.file), tempName(`.${path.basename(this.file)}.tmp-`));
    this.mtime = options.mtime ?? new Date(0);
    this.ready = loadTarStream().then(({ pack }) => {
      this.pack = pack();
      this.output = createWriteStream(this.temp, { flags: 'wx', mode: 0o644 });
      this.done = pipeline(this.pack, this.output);
      this.done.catch((error: unknown) => {
        this.failed ??= error;
      });
    });
  }

  static create(file: string, options: TarWriterOptions = {}): TarFileWriter {
    return new TarFileWriter(file, options);
  }

  private header(name: string, extra: Partial<tar.Header>): Partial<tar.Header> & { name: string } {
    return { name, mtime: this.mtime, uid: 0, gid: 0, uname: '', gname: '', ...extra };
  }

  async addDirectory(name: string): Promise<void> {
    await this.addBuffer(`${name.replace(/\/$/, '')}/`, Buffer.alloc(0), { type: 'directory', mode: 0o755 });
  }

  async addSymlink(name: string, target: string): Promise<void> {
    await this.addBuffer(name, Buffer.alloc(0), { type: 'symlink', linkname: target, mode: 0o777 });
  }

  async addBuffer(name: string, bytes: Buffer, extra: Partial<tar.Header> = {}): Promise<void> {
    await this.ready;
    this.throwIfFailed();
    await new Promise<void>((resolve, reject) => {
      this.pack.entry(this.header(name, { type: 'file', mode: 0o644, ...extra, size: bytes.length }), bytes, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Adds a file from a stream that must give exactly `size` bytes. */
  async addStream(name: string, size: number, content: Readable): Promise<void> {
    await this.ready;
    this.throwIfFailed();
    let entry!: ReturnType<tar.Pack['entry']>;
    const packed = new Promise<void>((resolve, reject) => {
      entry = this.pack.entry(this.header(name, { type: 'file', mode: 0o644, size }), (error) => (error ? reject(error) : resolve()));
    });
    const ended = new Promise<void>((resolve, reject) => {
      entry.once('error', reject);
      entry.once('finish', resolve);
    });
    // Both are awaited below on success; on failure the error thrown is the stream's, and these are moot.
    packed.catch(() => undefined);
    ended.catch(() => undefined);
    try {
      for await (const chunk of content) {
        if (!entry.write(chunk as Buffer)) {
          await new Promise<void>((resolve, reject) => {
            const onDrain = (): void => {
              entry.off('error', onError);
              resolve();
            };
            const onError = (error: Error): void => {
              entry.off('drain', onDrain);
              reject(error);
            };
            entry.once('drain', onDrain);
            entry.once('error', onError);
          });
        }
      }
      entry.end(undefined);
      await ended;
      await packed;
    } catch (error) {
      content.destroy();
      entry.destroy(error as Error);
      this.pack.destroy(error as Error);
      this.failed ??= error;
      throw error;
    }
  }

  /** Ends the archive and renames it into place. */
  async finish(): Promise<void> {
    try {
      await this.ready;
      this.throwIfFailed();
      this.pack.finalize();
      await this.done;
      await rename(this.temp, this.file);
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  /** Drops the archive. */
  async abort(): Promise<void> {
    await this.ready.catch(() => undefined);
    if (this.pack === undefined) return;
    if (!this.pack.destroyed) this.pack.destroy(new Error('archive aborted'));
    await this.done.catch(() => undefined);
    // A stream destroyed while its file was still being opened creates the file afterwards: wait for it to close.
    if (!this.output.closed) await once(this.output, 'close').catch(() => undefined);
    await rm(this.temp, { force: true });
  }

  private throwIfFailed(): void {
    if (this.failed !== undefined) throw this.failed;
  }
}
