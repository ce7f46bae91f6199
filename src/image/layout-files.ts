import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decompressor, detectCompression } from './compression.js';
import { ImageError, ImageErrorCode } from './errors.js';
import { readAll } from './digest.js';
import { readSmallFile } from './small-file.js';
import { indexTar, normalizeTarName, type TarEntry } from './tar-index.js';

/**
 * The files of an image layout or archive, by relative path, wherever they are: in a directory, or inside a tar
 * file read in place. Readers of OCI layouts and docker-archives are written against this alone.
 */
export interface LayoutFiles {
  /** The directory or archive, for messages. */
  readonly location: string;
  /** A file's size, or undefined when there is no such file. */
  size(relativePath: string): Promise<number | undefined>;
  /** A file's bytes; rejects with ENOENT-like ImageError (IMAGE_BLOB_NOT_FOUND) when missing. */
  open(relativePath: string): Promise<Readable>;
  /**
   * A whole (small) file, or undefined when there is no such file; past `maxSize` bytes an ImageError
   * (IMAGE_BLOB_TOO_LARGE) naming it as `what` (default: the location and path).
   */
  read(relativePath: string, maxSize: number, what?: string): Promise<Buffer | undefined>;
  /** Releases what the reader holds (temporary files). */
  close(): Promise<void>;
}

/** A whole (small) file, or undefined when missing. */
export async function readLayoutFile(files: LayoutFiles, relativePath: string, maxSize: number): Promise<Buffer | undefined> {
  return files.read(relativePath, maxSize);
}

function describe(files: LayoutFiles, relativePath: string): string {
  return `${files.location}: ${relativePath}`;
}

function missing(files: LayoutFiles, relativePath: string): ImageError {
  return new ImageError(ImageErrorCode.BlobNotFound, `${files.location}: ${relativePath} not found`);
}

function safeRelative(relativePath: string, location: string): string {
  const normalized = normalizeTarName(relativePath);
  if (normalized === '' || normalized.split('/').includes('..')) {
    throw new ImageError(ImageErrorCode.InvalidLayout, `${location}: bad path ${JSON.stringify(relativePath)}`);
  }
  return normalized;
}

/** Files of a directory. Stats and whole small files are read synchronously (see readSmallFile). */
export class DirectoryFiles implements LayoutFiles {
  readonly location: string;
  readonly dir: string;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
    this.location = this.dir;
  }

  path(relativePath: string): string {
    return path.join(this.dir, safeRelative(relativePath, this.location));
  }

  async size(relativePath: string): Promise<number | undefined> {
    try {
      const info = statSync(this.path(relativePath));
      return info.isFile() ? info.size : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw error;
    }
  }

  async open(relativePath: string): Promise<Readable> {
    const file = this.path(relativePath);
    // Open first so a missing file is a rejection here, not a later stream error.
    const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? missing(this, relativePath) : error;
    });
    return createReadStream(file, { fd: handle, autoClose: true });
  }

  async read(relativePath: string, maxSize: number, what = describe(this, relativePath)): Promise<Buffer | undefined> {
    try {
      return readSmallFile(this.path(relativePath), maxSize, what);
    } catch (error) {
      // What size() reports as no file: missing, a parent that is not a directory, a socket (which open refuses).
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENXIO') return undefined;
      throw error;
    }
  }

  async close(): Promise<void> {}
}

/** Members of a tar archive, read in place. A gzip- or zstd-compressed archive is first decompressed to a temp file. */
export class TarFiles implements LayoutFiles {
  readonly location: string;
  private readonly file: string;
  private readonly entries: Map<string, TarEntry>;
  private readonly tempDir: string | undefined;

  private constructor(location: string, file: string, entries: Map<string, TarEntry>, tempDir: string | undefined) {
    this.location = location;
    this.file = file;
    this.entries = entries;
    this.tempDir = tempDir;
  }

  static async open(archive: string): Promise<TarFiles> {
    const location = path.resolve(archive);
    const head = Buffer.alloc(4);
    const handle = await open(location, 'r').catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? new ImageError(ImageErrorCode.ReferenceNotFound, `archive ${location} does not exist`) : error;
    });
    try {
      await handle.read(head, 0, 4, 0);
    } finally {
      await handle.close();
    }
    const unpack = decompressor(detectCompression(head));
    if (!unpack) return new TarFiles(location, location, await indexTar(location), undefined);
    const tempDir = await mkdtemp(path.join(os.tmpdir(), 'build-image-archive-'));
    try {
      const file = path.join(tempDir, 'archive.tar');
      await pipeline(createReadStream(location), unpack, createWriteStream(file));
      return new TarFiles(location, file, await indexTar(file), tempDir);
    } catch (error) {
      await rm(tempDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The regular-file entry a path names, following links (at most 16). */
  private resolve(relativePath: string): TarEntry | undefined {
    let name = safeRelative(relativePath, this.location);
    for (let hops = 0; hops < 16; hops++) {
      const entry = this.entries.get(name);
      if (!entry || entry.linkname === undefined) return entry?.type === 'file' ? entry : undefined;
      name =
        entry.type === 'link' || entry.linkname.startsWith('/')
          ? normalizeTarName(entry.linkname)
          : normalizeTarName(path.posix.join(path.posix.dirname(name), entry.linkname));
    }
    return undefined;
  }

  /** All member names (normalised). */
  names(): string[] {
    return [...this.entries.keys()];
  }

  async size(relativePath: string): Promise<number | undefined> {
    return this.resolve(relativePath)?.size;
  }

  async open(relativePath: string): Promise<Readable> {
    const entry = this.resolve(relativePath);
    if (!entry) throw missing(this, relativePath);
    if (entry.size === 0) return Readable.from([]);
    return createReadStream(this.file, { start: entry.offset, end: entry.offset + entry.size - 1 });
  }

  async read(relativePath: string, maxSize: number, what = describe(this, relativePath)): Promise<Buffer | undefined> {
    if ((await this.size(relativePath)) === undefined) return undefined;
    return readAll(await this.open(relativePath), maxSize, what);
  }

  async close(): Promise<void> {
    if (this.tempDir) await rm(this.tempDir, { recursive: true, force: true });
  }
}
