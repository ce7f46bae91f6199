import path from 'node:path';
import type { BlobSource } from './blobs.js';
import { copyImage } from './copy-image.js';
import { writeDockerArchive } from './docker-archive.js';
import { ImageErrorCode, ImageReferenceError } from './errors.js';
import { writeOciArchive } from './oci-archive.js';
import { OciLayoutDirectory } from './oci-layout.js';
import { formatImageReference, parseImageReference, type ImageReference } from './reference.js';
import type { TarWriterOptions } from './tar-writer.js';
import type { Descriptor, Platform } from './types.js';

export interface ExportImageOptions extends TarWriterOptions {
  /** docker-archive of a multi-platform image: the platform to write (default: linux on this machine's architecture). */
  platform?: Platform;
}

/**
 * Writes an image (a manifest or an index, with everything it refers to, from `source`) to where a reference says:
 * - oci-layout: added to the layout directory (created when missing), tagged in index.json when a tag is given
 *   (an existing image with that tag is untagged, its blobs stay);
 * - oci-archive: a new archive file holding this image only;
 * - docker-archive: a new archive file holding this image, for the platform when `descriptor` is an index.
 */
export async function exportImage(reference: string | ImageReference, source: BlobSource, descriptor: Descriptor, options: ExportImageOptions = {}): Promise<void> {
  const parsed = typeof reference === 'string' ? parseImageReference(reference) : reference;
  const location = path.resolve(parsed.path);
  if (parsed.digest !== undefined || parsed.index !== undefined) {
    throw new ImageReferenceError(ImageErrorCode.InvalidReference, formatImageReference(parsed), 'an export target takes a tag, not a digest or @N');
  }
  switch (parsed.transport) {
    case 'oci-layout': {
      const layout = await OciLayoutDirectory.create(location);
      await copyImage(source, layout, descriptor);
      await layout.setReference(descriptor, parsed.tag);
      return;
    }
    case 'oci-archive':
      await writeOciArchive(location, source, [{ descriptor, tag: parsed.tag }], options);
      return;
    case 'docker-archive':
      await writeDockerArchive(location, source, descriptor, { ...options, repoTags: parsed.tag !== undefined ? [parsed.tag] : [] });
      return;
  }
}
