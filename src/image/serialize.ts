import { canonicalJsonBytes } from './canonical-json.js';
import { digestOf } from './digest.js';
import { MediaType } from './media-types.js';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest } from './types.js';

/**
 * Serialising new documents: canonical JSON bytes and the descriptor that names them. Building the same image
 * twice gives byte-identical configs and manifests, so identical digests.
 */

/** A serialised document: its bytes and its descriptor. */
export interface SerializedDocument {
  descriptor: Descriptor;
  bytes: Buffer;
}

function serialize(value: unknown, mediaType: string, extra: Partial<Descriptor> = {}): SerializedDocument {
  const bytes = canonicalJsonBytes(value);
  return { bytes, descriptor: { mediaType, digest: digestOf(bytes), size: bytes.length, ...extra } };
}

/** An image config as an OCI config blob. */
export function serializeImageConfig(config: ImageConfig): SerializedDocument {
  return serialize(config, MediaType.OciConfig);
}

export interface ManifestInput {
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
  subject?: Descriptor;
  artifactType?: string;
}

/** An OCI image manifest over a config and layers. */
export function serializeManifest(input: ManifestInput): SerializedDocument {
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: input.config,
    layers: input.layers,
  };
  if (input.artifactType !== undefined) manifest.artifactType = input.artifactType;
  if (input.subject !== undefined) manifest.subject = input.subject;
  if (input.annotations !== undefined && Object.keys(input.annotations).length > 0) manifest.annotations = input.annotations;
  return serialize(manifest, MediaType.OciManifest);
}

export interface IndexInput {
  /** Manifest descriptors, each with its `platform`. */
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** An OCI image index (a multi-platform image). */
export function serializeIndex(input: IndexInput): SerializedDocument {
  const index: ImageIndex = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: input.manifests };
  if (input.annotations !== undefined && Object.keys(input.annotations).length > 0) index.annotations = input.annotations;
  return serialize(index, MediaType.OciIndex);
}
