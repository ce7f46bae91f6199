import { pipeline, Readable } from 'node:stream';
import type { BlobContent } from './atomic-file.js';
import type { BlobSink, BlobSource } from './blobs.js';
import { canonicalJsonBytes } from './canonical-json.js';
import { copyImage } from './copy-image.js';
import { blobPath, parseDigest, verifyingStream, type ExpectedContent } from './digest.js';
import { ImageError, ImageErrorCode } from './errors.js';
import { TarFiles } from './layout-files.js';
import { MediaType } from './media-types.js';
import { imageLayoutVersion, OciLayoutReader } from './oci-layout.js';
import { TarFileWriter, type TarWriterOptions } from './tar-writer.js';
import { Annotation, type Descriptor, type ImageIndex } from './types.js';

/** An image to put in a layout or archive, with the tag (ref.name) it gets in index.json. */
export interface TaggedImage {
  /** A manifest or an index. */
  descriptor: Descriptor;
  tag?: string;
}

/**
 * Writes an OCI archive: a tar of an OCI image layout (`oci-layout`, `blobs/...`, `index.json`) holding the given
 * images and everything they refer to, streamed from the source and verified on the way. Written to a temp file
 * and renamed, so `file` never holds a partial archive.
 */
export async function writeOciArchive(file: string, source: BlobSource, images: readonly TaggedImage[], options: TarWriterOptions = {}): Promise<void> {
  const writer = TarFileWriter.create(file, options);
  try {
    await writer.addBuffer('oci-layout', canonicalJsonBytes({ imageLayoutVersion }));
    const sink = new TarBlobSink(writer);
    for (const image of images) await copyImage(source, sink, image.descriptor);
    const index: ImageIndex = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: images.map(indexEntry) };
    await writer.addBuffer('index.json', canonicalJsonBytes(index));
    await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

function indexEntry(image: TaggedImage): Descriptor {
  const { descriptor } = image;
  const entry: Descriptor = { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size };
  if (descriptor.platform) entry.platform = descriptor.platform;
  if (image.tag !== undefined) entry.annotations = { [Annotation.RefName]: image.tag };
  return entry;
}

/** Blobs written as `blobs/<alg>/<hex>` members of an archive being written. */
class TarBlobSink implements BlobSink {
  private readonly writer: TarFileWriter;
  private readonly written = new Set<string>();
  private readonly directories = new Set<string>();

  constructor(writer: TarFileWriter) {
    this.writer = writer;
  }

  async hasBlob(digest: string): Promise<boolean> {
    return this.written.has(digest);
  }

  async putBlob(content: BlobContent, expected: ExpectedContent): Promise<void> {
    if (expected.size === undefined) throw new ImageError(ImageErrorCode.SizeMismatch, `blob ${expected.digest}: an archive needs its size up front`);
    const { algorithm } = parseDigest(expected.digest);
    if (this.directories.size === 0) await this.writer.addDirectory('blobs');
    if (!this.directories.has(algorithm)) {
      await this.writer.addDirectory(`blobs/${algorithm}`);
      this.directories.add(algorithm);
    }
    const raw = content instanceof Uint8Array ? Readable.from([Buffer.from(content)]) : content instanceof Readable ? content : Readable.from(content);
    const verified = pipeline(raw, verifyingStream(expected, `blob ${expected.digest}`), () => undefined);
    await this.writer.addStream(blobPath(expected.digest), expected.size, verified);
    this.written.add(expected.digest);
  }
}

/** Opens an OCI archive (uncompressed, or gzip/zstd-compressed) for reading in place. */
export async function openOciArchive(file: string): Promise<OciLayoutReader> {
  const files = await TarFiles.open(file);
  try {
    return await OciLayoutReader.open(files);
  } catch (error) {
    await files.close();
    throw error;
  }
}
