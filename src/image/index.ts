/**
 * src/image: OCI images outside a registry. Types of the OCI/Docker documents, canonical serialisation, digests and
 * chain IDs, platforms, image references, and reading and writing OCI layouts, OCI archives and docker-archives.
 * This file is the folder's only door.
 */
export type {
  Descriptor,
  Platform,
  ImageManifest,
  ImageIndex,
  ImageConfig,
  ContainerConfig,
  HealthConfig,
  HistoryEntry,
  RootFS,
  EmptyObject,
  OciLayoutHeader,
  DockerArchiveManifestEntry,
} from './types.js';
export { Annotation } from './types.js';
export {
  MediaType,
  isIndexMediaType,
  isManifestMediaType,
  isConfigMediaType,
  isLayerMediaType,
  layerCompressionOf,
  ociLayerMediaType,
  type LayerCompression,
} from './media-types.js';
export { ImageError, ImageErrorCode, BlobVerificationError, BlobNotFoundError, ImageReferenceError } from './errors.js';
export {
  parseDigest,
  isDigest,
  digestOf,
  blobPath,
  Digester,
  verifyingStream,
  verificationError,
  readAll,
  type DigestAlgorithm,
  type ParsedDigest,
  type ExpectedContent,
} from './digest.js';
export { canonicalJson, canonicalJsonBytes, canonicalDigest } from './canonical-json.js';
export { chainIds, chainId } from './chain-id.js';
export { parsePlatform, formatPlatform, normalizePlatform, defaultPlatform, platformMatches, platformScore, selectPlatform } from './platform.js';
export {
  parseJson,
  parseManifest,
  parseIndex,
  parseImageConfig,
  checkDescriptor,
  documentKind,
  childDescriptors,
  maxDocumentSize,
  type DocumentKind,
} from './documents.js';
export { serializeImageConfig, serializeManifest, serializeIndex, type SerializedDocument, type ManifestInput, type IndexInput } from './serialize.js';
export { openVerifiedBlob, readBlob, MemoryBlobs, type BlobSource, type BlobSink } from './blobs.js';
export { writeVerifiedTemp, writeVerifiedFile, tempName, type VerifiedWriteOptions, type WrittenContent, type BlobContent } from './atomic-file.js';
export { copyImage, type CopyResult } from './copy-image.js';
export { detectCompression, decompressor } from './compression.js';
export { DirectoryFiles, TarFiles, readLayoutFile, type LayoutFiles } from './layout-files.js';
export { readSmallFile } from './small-file.js';
export { indexTar, type TarEntry, type TarEntryType } from './tar-index.js';
export { TarFileWriter, type TarWriterOptions } from './tar-writer.js';
export { OciLayoutReader, OciLayoutDirectory, imageLayoutVersion } from './oci-layout.js';
export { writeOciArchive, openOciArchive, type TaggedImage } from './oci-archive.js';
export { writeDockerArchive, DockerArchiveReader, type DockerArchiveOptions } from './docker-archive.js';
export {
  parseImageReference,
  formatImageReference,
  normalizeDockerReference,
  checkRepoTag,
  type ImageReference,
  type ImageTransport,
} from './reference.js';
export { resolveImage, selectManifest, platformOfConfig, type ResolvedImage, type ResolveOptions } from './resolve.js';
export { openImage, type ImageSource, type OpenImageOptions } from './open-image.js';
export { exportImage, type ExportImageOptions } from './export-image.js';
