import { CodedError } from '../errors/index.js';
/**
 * Stable error codes of the layers module. Tools may switch on them; never rename one, only add.
 */
export const LayerErrorCode = {
  InvalidChange: 'LAYER_INVALID_CHANGE',
  InvalidCompression: 'LAYER_INVALID_COMPRESSION',
  CompressionUnavailable: 'LAYER_COMPRESSION_UNAVAILABLE',
  UnsupportedCompression: 'LAYER_UNSUPPORTED_COMPRESSION',
  CorruptLayer: 'LAYER_CORRUPT',
  UnsafePath: 'LAYER_UNSAFE_PATH',
  LinkEscape: 'LAYER_LINK_ESCAPE',
  HardlinkTarget: 'LAYER_HARDLINK_TARGET_INVALID',
  SymlinkLoop: 'LAYER_SYMLINK_LOOP',
  PathConflict: 'LAYER_PATH_CONFLICT',
  UnsupportedEntry: 'LAYER_UNSUPPORTED_ENTRY',
  SourceChanged: 'LAYER_SOURCE_CHANGED',
  XattrToolUnavailable: 'LAYER_XATTR_TOOL_UNAVAILABLE',
  XattrFailed: 'LAYER_XATTR_FAILED',
  OverlayUnsupported: 'LAYER_OVERLAY_UNSUPPORTED',
  InvalidSourceDateEpoch: 'LAYER_INVALID_SOURCE_DATE_EPOCH',
  ApplyFailed: 'LAYER_APPLY_FAILED',
} as const;

export type LayerErrorCode = (typeof LayerErrorCode)[keyof typeof LayerErrorCode];

/** Base class of every failure the layers module reports; `code` is stable, `message` is for people. */
export class LayerError extends CodedError<LayerErrorCode> {
  override readonly name: string = 'LayerError';
}

/** A change list handed to the writer is malformed (bad path, duplicate, missing content, …). */
export class InvalidLayerChangeError extends LayerError {
  override readonly name = 'InvalidLayerChangeError';
  readonly path: string;
  constructor(path: string, detail: string) {
    super(LayerErrorCode.InvalidChange, `invalid layer change for '${path}': ${detail}`);
    this.path = path;
  }
}

/** A compression option is out of range or unknown. */
export class InvalidCompressionError extends LayerError {
  override readonly name = 'InvalidCompressionError';
  constructor(detail: string) {
    super(LayerErrorCode.InvalidCompression, detail);
  }
}

/** The compression asked for needs a tool that is not installed (zstd). */
export class CompressionUnavailableError extends LayerError {
  override readonly name = 'CompressionUnavailableError';
  readonly compression: string;
  constructor(compression: string, detail: string) {
    super(LayerErrorCode.CompressionUnavailable, `${compression} compression is unavailable: ${detail}`);
    this.compression = compression;
  }
}

/** A layer is compressed with a format this module does not read (bzip2, xz). */
export class UnsupportedCompressionError extends LayerError {
  override readonly name = 'UnsupportedCompressionError';
  readonly compression: string;
  constructor(compression: string) {
    super(LayerErrorCode.UnsupportedCompression, `layers compressed with ${compression} are not supported`);
    this.compression = compression;
  }
}

/** The layer's bytes are not a well-formed (compressed) tar stream. */
export class CorruptLayerError extends LayerError {
  override readonly name = 'CorruptLayerError';
  constructor(detail: string, options?: { cause?: unknown }) {
    super(LayerErrorCode.CorruptLayer, `corrupt layer: ${detail}`, options);
  }
}

/** A tar entry's name would land outside the target directory (`..`, absolute, bad whiteout name). */
export class UnsafeLayerPathError extends LayerError {
  override readonly name = 'UnsafeLayerPathError';
  readonly path: string;
  constructor(path: string, detail: string) {
    super(LayerErrorCode.UnsafePath, `refusing layer entry '${shortened(path)}': ${detail}`);
    this.path = path;
  }
}

/** A hardlink's target is absolute or climbs out of the target directory. */
export class LinkEscapeError extends LayerError {
  override readonly name = 'LinkEscapeError';
  readonly path: string;
  readonly linkTarget: string;
  constructor(path: string, linkTarget: string) {
    super(LayerErrorCode.LinkEscape, `refusing hardlink '${shortened(path)}' -> '${shortened(linkTarget)}': the target leaves the layer root`);
    this.path = path;
    this.linkTarget = linkTarget;
  }
}

/** A hardlink's target does not exist in the target directory or is a directory. */
export class HardlinkTargetError extends LayerError {
  override readonly name = 'HardlinkTargetError';
  readonly path: string;
  readonly linkTarget: string;
  constructor(path: string, linkTarget: string, detail: string) {
    super(LayerErrorCode.HardlinkTarget, `cannot create hardlink '${shortened(path)}' -> '${shortened(linkTarget)}': ${detail}`);
    this.path = path;
    this.linkTarget = linkTarget;
  }
}

/** Resolving a path inside the root followed too many symlinks. */
export class SymlinkLoopError extends LayerError {
  override readonly name = 'SymlinkLoopError';
  readonly path: string;
  constructor(path: string) {
    super(LayerErrorCode.SymlinkLoop, `too many levels of symbolic links resolving '${shortened(path)}'`);
    this.path = path;
  }
}

/** An entry needs a directory where the target holds something else (a file as a parent). */
export class LayerPathConflictError extends LayerError {
  override readonly name = 'LayerPathConflictError';
  readonly path: string;
  constructor(path: string, detail: string, options?: { cause?: unknown }) {
    super(LayerErrorCode.PathConflict, `cannot apply '${shortened(path)}': ${detail}`, options);
    this.path = path;
  }
}

/** A tar entry type or extension this module does not handle (sparse files, unknown typeflags). */
export class UnsupportedEntryError extends LayerError {
  override readonly name = 'UnsupportedEntryError';
  readonly path: string;
  constructor(path: string, detail: string) {
    super(LayerErrorCode.UnsupportedEntry, `unsupported layer entry '${shortened(path)}': ${detail}`);
    this.path = path;
  }
}

/** A source file changed size while it was being written into a layer. */
export class SourceChangedError extends LayerError {
  override readonly name = 'SourceChangedError';
  readonly path: string;
  constructor(path: string, detail: string) {
    super(LayerErrorCode.SourceChanged, `source '${path}' changed while writing the layer: ${detail}`);
    this.path = path;
  }
}

/** Reading or writing extended attributes needs getfattr/setfattr (Debian package `attr`). */
export class XattrToolUnavailableError extends LayerError {
  override readonly name = 'XattrToolUnavailableError';
  readonly tool: string;
  constructor(tool: string) {
    super(
      LayerErrorCode.XattrToolUnavailable,
      `extended attributes are unavailable: '${tool}' is not installed (Debian package 'attr'); install it or pass xattrs: false`,
    );
    this.tool = tool;
  }
}

/** getfattr/setfattr reported a failure. */
export class XattrError extends LayerError {
  override readonly name = 'XattrError';
  constructor(detail: string) {
    super(LayerErrorCode.XattrFailed, `extended attributes failed: ${detail}`);
  }
}

/** An overlayfs upper directory uses a feature whose changes cannot be read from the upper dir alone. */
export class OverlayUnsupportedError extends LayerError {
  override readonly name = 'OverlayUnsupportedError';
  readonly path: string;
  constructor(path: string, feature: string) {
    super(LayerErrorCode.OverlayUnsupported, `overlay upper entry '${path}' uses ${feature}, which the overlay differ does not support`);
    this.path = path;
  }
}

/** SOURCE_DATE_EPOCH is not a non-negative integer number of seconds. */
export class InvalidSourceDateEpochError extends LayerError {
  override readonly name = 'InvalidSourceDateEpochError';
  readonly value: string;
  constructor(value: string) {
    super(LayerErrorCode.InvalidSourceDateEpoch, `SOURCE_DATE_EPOCH must be a non-negative integer number of seconds, got '${value}'`);
    this.value = value;
  }
}

/** The file system refused an operation while applying an entry (a name too long, a link target it rejects...). */
export class LayerApplyError extends LayerError {
  override readonly name = 'LayerApplyError';
  readonly path: string;
  constructor(path: string, cause: unknown) {
    const reason = (cause as NodeJS.ErrnoException | undefined)?.code ?? String(cause);
    super(LayerErrorCode.ApplyFailed, `cannot apply layer entry '${shortened(path)}': the file system refused it (${reason})`, { cause });
    this.path = path;
  }
}

/** A name as it may appear in a message: hostile layers carry names of megabytes. */
export function shortened(name: string): string {
  return name.length <= 200 ? name : `${name.slice(0, 100)}...(${name.length} characters)...${name.slice(-60)}`;
}
