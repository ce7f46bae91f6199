import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { tempName, writeVerifiedFile, type BlobContent } from './atomic-file.js';
import type { BlobSink, BlobSource } from './blobs.js';
import { canonicalJsonBytes } from './canonical-json.js';
import { blobPath, type ExpectedContent } from './digest.js';
import { checkDescriptor, maxDocumentSize, parseJson } from './documents.js';
import { BlobNotFoundError, ImageError, ImageErrorCode } from './errors.js';
import { DirectoryFiles, readLayoutFile, type LayoutFiles } from './layout-files.js';
import { MediaType } from './media-types.js';
import { Annotation, type Descriptor, type ImageIndex } from './types.js';

/**
 * OCI image layouts (image-spec `image-layout.md`): an `oci-layout` file, an `index.json` whose manifests carry
 * `org.opencontainers.image.ref.name` annotations (the tags), and `blobs/<alg>/<hex>`. The reader works over any
 * LayoutFiles (a directory, or a tar read in place: an OCI archive); the directory class also writes.
 */

export const imageLayoutVersion = '1.0.0';

export class OciLayoutReader implements BlobSource {
  readonly files: LayoutFiles;
  /** index.json as read. */
  index: ImageIndex;

  protected constructor(files: LayoutFiles, index: ImageIndex) {
    this.files = files;
    this.index = index;
  }

  /** Opens a layout: checks `oci-layout` and reads `index.json`. */
  static async open(files: LayoutFiles): Promise<OciLayoutReader> {
    return new OciLayoutReader(files, await readLayoutIndex(files));
  }

  get location(): string {
    return this.files.location;
  }

  async hasBlob(digest: string): Promise<boolean> {
    return (await this.files.size(blobPath(digest))) !== undefined;
  }

  async openBlob(descriptor: Descriptor): Promise<Readable> {
    const relative = blobPath(descriptor.digest);
    if ((await this.files.size(relative)) === undefined) throw new BlobNotFoundError(descriptor.digest, `OCI layout ${this.location}`);
    return this.files.open(relative);
  }

  async readSmallBlob(descriptor: Descriptor, maxSize: number, what: string): Promise<Buffer> {
    const bytes = await this.files.read(blobPath(descriptor.digest), maxSize, what);
    if (bytes === undefined) throw new BlobNotFoundError(descriptor.digest, `OCI layout ${this.location}`);
    return bytes;
  }

  /**
   * The index.json entries a tag names: those whose ref.name annotation is the tag; failing that, those whose
   * containerd image name is the tag or ends with `:<tag>`.
   */
  entriesForTag(tag: string): Descriptor[] {
    const byRefName = this.index.manifests.filter((descriptor) => descriptor.annotations?.[Annotation.RefName] === tag);
    if (byRefName.length > 0) return byRefName;
    return this.index.manifests.filter((descriptor) => {
      const name = descriptor.annotations?.[Annotation.ContainerdImageName];
      return name !== undefined && (name === tag || name.endsWith(`:${tag}`));
    });
  }

  /** The tags (ref.name annotations) of index.json, in order. */
  tags(): string[] {
    return this.index.manifests.flatMap((descriptor) => {
      const name = descriptor.annotations?.[Annotation.RefName];
      return name === undefined ? [] : [name];
    });
  }

  async close(): Promise<void> {
    await this.files.close();
  }
}

async function readLayoutIndex(files: LayoutFiles): Promise<ImageIndex> {
  const fail = (detail: string): never => {
    throw new ImageError(ImageErrorCode.InvalidLayout, `${files.location} is not an OCI image layout: ${detail}`);
  };
  const header = await readLayoutFile(files, 'oci-layout', 4096);
  if (!header) return fail('no oci-layout file');
  const headerValue = parseJson(header, `${files.location}/oci-layout`) as { imageLayoutVersion?: unknown } | null;
  if (typeof headerValue?.imageLayoutVersion !== 'string') return fail('oci-layout has no imageLayoutVersion');
  if (!headerValue.imageLayoutVersion.startsWith('1.')) fail(`unsupported imageLayoutVersion ${headerValue.imageLayoutVersion}`);
  const bytes = await readLayoutFile(files, 'index.json', maxDocumentSize);
  if (!bytes) return fail('no index.json');
  const value = parseJson(bytes, `${files.location}/index.json`) as Partial<ImageIndex> | null;
  if (value === null || typeof value !== 'object' || value.schemaVersion !== 2 || !Array.isArray(value.manifests)) {
    return fail('index.json is not an image index (schemaVersion 2 with manifests)');
  }
  value.manifests.forEach((descriptor, i) => checkDescriptor(descriptor, `${files.location}/index.json: manifests[${i}]`, ImageErrorCode.InvalidLayout));
  return value as ImageIndex;
}

/**
 * An OCI image layout directory, read and written. Blobs are written to a temp file in the layout and renamed into
 * place once verified; index.json is replaced atomically. Two processes updating the same layout's index.json at
 * once may lose one update (like other tools, there is no lock).
 */
export class OciLayoutDirectory extends OciLayoutReader implements BlobSink {
  readonly dir: string;

  private constructor(dir: string, index: ImageIndex) {
    super(new DirectoryFiles(dir), index);
    this.dir = path.resolve(dir);
  }

  /** Opens an existing layout directory. */
  static override async open(dir: string | LayoutFiles): Promise<OciLayoutDirectory> {
    const resolved = typeof dir === 'string' ? dir : dir.location;
    return new OciLayoutDirectory(resolved, await readLayoutIndex(new DirectoryFiles(resolved)));
  }

  /** Opens a layout directory, creating it (and its oci-layout and empty index.json) when missing or empty. */
  static async create(dir: string): Promise<OciLayoutDirectory> {
    const resolved = path.resolve(dir);
    await mkdir(resolved, { recursive: true });
    const files = new DirectoryFiles(resolved);
    if ((await files.size('oci-layout')) === undefined) {
      await writeAtomic(resolved, 'oci-layout', canonicalJsonBytes({ imageLayoutVersion }));
    }
    if ((await files.size('index.json')) === undefined) {
      await writeAtomic(resolved, 'index.json', canonicalJsonBytes(emptyIndex()));
    }
    await mkdir(path.join(resolved, 'blobs', 'sha256'), { recursive: true });
    return OciLayoutDirectory.open(resolved);
  }

  /** The file a blob is (or would be) stored in. */
  blobFile(digest: string): string {
    return path.join(this.dir, blobPath(digest));
  }

  async putBlob(content: BlobContent, expected: ExpectedContent): Promise<void> {
    const target = this.blobFile(expected.digest);
    await mkdir(path.dirname(target), { recursive: true });
    await writeVerifiedFile(content, target, path.join(this.dir, tempName()), { expected, what: `blob ${expected.digest}` });
  }

  /**
   * Names a manifest or index in index.json. With a tag, entries with the same tag are replaced; without, the
   * descriptor is added unless index.json already lists it untagged.
   */
  async setReference(descriptor: Descriptor, tag?: string): Promise<void> {
    const entry: Descriptor = { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size };
    if (descriptor.platform) entry.platform = descriptor.platform;
    if (descriptor.artifactType) entry.artifactType = descriptor.artifactType;
    const annotations = { ...descriptor.annotations };
    if (tag !== undefined) annotations[Annotation.RefName] = tag;
    else delete annotations[Annotation.RefName];
    if (Object.keys(annotations).length > 0) entry.annotations = annotations;
    const kept = this.index.manifests.filter((existing) => {
      const name = existing.annotations?.[Annotation.RefName];
      return tag !== undefined ? name !== tag : !(name === undefined && existing.digest === descriptor.digest);
    });
    await this.writeIndex({ ...this.index, manifests: [...kept, entry] });
  }

  /** Removes a tag from index.json (its blobs stay). Returns whether it was there. */
  async removeReference(tag: string): Promise<boolean> {
    const kept = this.index.manifests.filter((existing) => existing.annotations?.[Annotation.RefName] !== tag);
    if (kept.length === this.index.manifests.length) return false;
    await this.writeIndex({ ...this.index, manifests: kept });
    return true;
  }

  private async writeIndex(index: ImageIndex): Promise<void> {
    const next: ImageIndex = { ...index, schemaVersion: 2, mediaType: MediaType.OciIndex };
    const bytes = canonicalJsonBytes(next);
    // A rebuild of the same image names the same manifest again: leave index.json (and its mtime) alone.
    if (bytes.equals(canonicalJsonBytes(this.index))) return;
    await writeAtomic(this.dir, 'index.json', bytes);
    this.index = next;
  }
}

function emptyIndex(): ImageIndex {
  return { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] };
}

async function writeAtomic(dir: string, name: string, bytes: Buffer): Promise<void> {
  const temp = path.join(dir, tempName());
  try {
    await writeFile(temp, bytes, { flag: 'wx', mode: 0o644 });
    await rename(temp, path.join(dir, name));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
