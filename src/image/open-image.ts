import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { readBlob, readStoredBytes, type BlobSource } from './blobs.js';
import { blobPath } from './digest.js';
import { documentKind, parseJson } from './documents.js';
import { DockerArchiveReader } from './docker-archive.js';
import { ImageError, ImageErrorCode } from './errors.js';
import { DirectoryFiles } from './layout-files.js';
import { MediaType } from './media-types.js';
import { openOciArchive } from './oci-archive.js';
import { OciLayoutReader } from './oci-layout.js';
import { formatImageReference, parseImageReference, type ImageReference } from './reference.js';
import { resolveImage, type ResolvedImage } from './resolve.js';
import { Annotation, type Descriptor, type Platform } from './types.js';

/** An image opened for reading (e.g. as a base image): its manifest and config, and a source of its blobs. */
export interface ImageSource extends ResolvedImage, BlobSource {
  reference: ImageReference;
  /** Releases the location (temp files of a compressed archive). */
  close(): Promise<void>;
}

export interface OpenImageOptions {
  /** Chooses among the manifests of a multi-platform image (default: linux on this machine's architecture). */
  platform?: Platform;
}

/** Opens the image a reference names (see parseImageReference) from an OCI layout, OCI archive or docker-archive. */
export async function openImage(reference: string | ImageReference, options: OpenImageOptions = {}): Promise<ImageSource> {
  const parsed = typeof reference === 'string' ? parseImageReference(reference) : reference;
  const what = formatImageReference(parsed);
  const location = path.resolve(parsed.path);
  let blobs: BlobSource & { close(): Promise<void> };
  let from: Descriptor | Descriptor[];

  if (parsed.transport === 'docker-archive') {
    const reader = await DockerArchiveReader.openFile(location);
    blobs = reader;
    try {
      from = await reader.manifestDescriptor(reader.findImage({ tag: parsed.tag, index: parsed.index }));
    } catch (error) {
      await reader.close();
      throw error;
    }
  } else {
    let reader: OciLayoutReader;
    if (parsed.transport === 'oci-archive') reader = await openOciArchive(location);
    else {
      const info = await stat(location).catch(() => undefined);
      if (!info?.isDirectory()) throw new ImageError(ImageErrorCode.ReferenceNotFound, `${what}: ${location} is not a directory`);
      reader = await OciLayoutReader.open(new DirectoryFiles(location));
    }
    blobs = reader;
    try {
      from = await layoutCandidates(reader, parsed, what);
    } catch (error) {
      await reader.close();
      throw error;
    }
  }

  try {
    const resolved = await resolveImage(blobs, from, { platform: options.platform, what });
    return {
      ...resolved,
      reference: parsed,
      openBlob: (descriptor: Descriptor): Promise<Readable> => blobs.openBlob(descriptor),
      readSmallBlob: (descriptor: Descriptor, maxSize: number, what: string): Promise<Buffer> => readStoredBytes(blobs, descriptor, maxSize, what),
      close: () => blobs.close(),
    };
  } catch (error) {
    await blobs.close();
    throw error;
  }
}

/** The index.json entries a layout reference names. */
async function layoutCandidates(reader: OciLayoutReader, reference: ImageReference, what: string): Promise<Descriptor[]> {
  const entries = reader.index.manifests;
  if (reference.digest !== undefined) {
    let found = entries.filter((entry) => entry.digest === reference.digest);
    if (reference.tag !== undefined) found = found.filter((entry) => reader.entriesForTag(reference.tag!).includes(entry));
    if (found.length > 0) return found;
    if (reference.tag === undefined && (await reader.hasBlob(reference.digest))) {
      // Not in index.json but in the layout (e.g. one platform's manifest of an index): its own JSON says what it is.
      const size = (await reader.files.size(blobPath(reference.digest))) ?? 0;
      const probe: Descriptor = { mediaType: 'application/json', digest: reference.digest, size };
      const document = parseJson(await readBlob(reader, probe), `${what}: ${reference.digest}`) as { mediaType?: string };
      const kind = documentKind(document.mediaType, document);
      if (kind === 'index' || kind === 'manifest') {
        return [{ ...probe, mediaType: document.mediaType ?? (kind === 'index' ? MediaType.OciIndex : MediaType.OciManifest) }];
      }
    }
    throw new ImageError(ImageErrorCode.ReferenceNotFound, `${what}: the layout holds no manifest or index ${reference.digest}`);
  }
  if (reference.tag !== undefined) {
    const found = reader.entriesForTag(reference.tag);
    if (found.length > 0) return found;
    const tags = reader.tags();
    throw new ImageError(ImageErrorCode.ReferenceNotFound, `${what}: no image tagged ${reference.tag}${tags.length > 0 ? ` (tags: ${tags.join(', ')})` : ' (the layout has no tags)'}`);
  }
  if (entries.length === 0) throw new ImageError(ImageErrorCode.ReferenceNotFound, `${what}: the layout holds no image`);
  const names = new Set(entries.map((entry) => entry.annotations?.[Annotation.RefName]));
  if (entries.length > 1 && names.size > 1) {
    throw new ImageError(ImageErrorCode.AmbiguousReference, `${what}: the layout holds several images (${[...names].map((name) => name ?? '(untagged)').join(', ')}): name one with :TAG or @DIGEST`);
  }
  return entries;
}
