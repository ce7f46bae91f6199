/**
 * Image layers: write a layer from a change list, apply a layer onto a directory, and find the changes
 * between two trees or in an overlayfs upper directory. The only module other folders import from.
 */
export { writeLayer, type WriteLayerOptions, type WrittenLayer } from './layer-writer.js';
export { applyLayer, type ApplyLayerOptions, type ApplyLayerStats, type LayerSource } from './layer-applier.js';
export { diffTrees, treeChanges, type DiffOptions } from './tree-diff.js';
export { overlayUpperToChanges } from './overlay-upper.js';
export {
  LayerMediaType,
  DEFAULT_GZIP_LEVEL,
  DEFAULT_ZSTD_LEVEL,
  detectCompression,
  mediaTypeFor,
  type CompressionType,
  type LayerCompression,
} from './compression.js';
export { isZstdAvailable } from './zstd-process.js';
export { parseSourceDateEpoch } from './source-date-epoch.js';
export { isPortableXattr } from './xattrs.js';
export { WHITEOUT_PREFIX, OPAQUE_WHITEOUT, compareLayerPaths, cleanArchivePath } from './layer-path.js';
export { readTarEntries, type TarEntry } from './tar-reader.js';
export type { Sha256Digest } from './digest-stream.js';
export type {
  AddDevice,
  AddDirectory,
  AddFifo,
  AddFile,
  AddSymlink,
  EntryMetadata,
  LayerAdd,
  LayerChange,
  LayerDelete,
  LayerEntryType,
  LayerOpaque,
  Xattrs,
} from './layer-change.js';
export {
  LayerErrorCode,
  LayerError,
  InvalidLayerChangeError,
  InvalidCompressionError,
  CompressionUnavailableError,
  UnsupportedCompressionError,
  CorruptLayerError,
  UnsafeLayerPathError,
  LinkEscapeError,
  HardlinkTargetError,
  SymlinkLoopError,
  LayerPathConflictError,
  UnsupportedEntryError,
  SourceChangedError,
  XattrToolUnavailableError,
  XattrError,
  OverlayUnsupportedError,
  InvalidSourceDateEpochError,
  LayerApplyError,
} from './errors.js';
