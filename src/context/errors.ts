import { CodedError } from '../errors/index.js';
/**
 * Stable error codes of src/context. Tools may switch on them; never rename one, only add.
 */
export const ContextErrorCode = {
  InvalidRoot: 'CONTEXT_INVALID_ROOT',
  DockerignoreRead: 'CONTEXT_DOCKERIGNORE_READ',
  DockerignorePattern: 'CONTEXT_DOCKERIGNORE_PATTERN',
  ReadFailed: 'CONTEXT_READ_FAILED',
  SourcePattern: 'CONTEXT_SOURCE_PATTERN',
  SourceNotFound: 'CONTEXT_SOURCE_NOT_FOUND',
  SourceEscape: 'CONTEXT_SOURCE_ESCAPE',
  SymlinkEscape: 'CONTEXT_SYMLINK_ESCAPE',
  SymlinkLoop: 'CONTEXT_SYMLINK_LOOP',
  FileChanged: 'CONTEXT_FILE_CHANGED',
  DigestCache: 'CONTEXT_DIGEST_CACHE',
} as const;

export type ContextErrorCode = (typeof ContextErrorCode)[keyof typeof ContextErrorCode];

/** Base class of every failure src/context reports; `code` is stable, `message` is for people. */
export class ContextError extends CodedError<ContextErrorCode> {
  override readonly name: string = 'ContextError';
}

/** The context (or stage) root is missing or is not a directory. */
export class InvalidRootError extends ContextError {
  override readonly name = 'InvalidRootError';
  readonly root: string;
  constructor(root: string, detail: string, options?: { cause?: unknown }) {
    super(ContextErrorCode.InvalidRoot, `build context '${root}' ${detail}; pass an existing directory as the context`, options);
    this.root = root;
  }
}

/** A .dockerignore file exists but cannot be read or parsed as a list of lines. */
export class DockerignoreReadError extends ContextError {
  override readonly name = 'DockerignoreReadError';
  readonly file: string;
  constructor(file: string, detail: string, options?: { cause?: unknown }) {
    super(ContextErrorCode.DockerignoreRead, `failed parsing ${file}: ${detail}`, options);
    this.file = file;
  }
}

/** A .dockerignore pattern Docker would reject (Go filepath.Match syntax, a lone `!`, a bad class range…). */
export class DockerignorePatternError extends ContextError {
  override readonly name = 'DockerignorePatternError';
  readonly pattern: string;
  constructor(pattern: string, detail: string) {
    super(ContextErrorCode.DockerignorePattern, `invalid .dockerignore pattern '${pattern}': ${detail}; fix or remove the line`);
    this.pattern = pattern;
  }
}

/** A file system operation on the context failed for a reason other than the path being absent. */
export class ContextReadError extends ContextError {
  override readonly name = 'ContextReadError';
  readonly path: string;
  constructor(path: string, operation: string, cause: unknown) {
    const reason = (cause as NodeJS.ErrnoException | undefined)?.code ?? String(cause);
    super(ContextErrorCode.ReadFailed, `cannot ${operation} '${path}' in the build context (${reason}); make it readable or exclude it in .dockerignore`, { cause });
    this.path = path;
  }
}

/** A COPY/ADD source is not a well-formed Go filepath.Match pattern. */
export class SourcePatternError extends ContextError {
  override readonly name = 'SourcePatternError';
  readonly source: string;
  constructor(source: string) {
    super(ContextErrorCode.SourcePattern, `source '${source}' is not a valid pattern (syntax error in pattern); escape '[', '*', '?' and '\\' with '\\' to name files literally`);
    this.source = source;
  }
}

/** Nothing in the root answers a COPY/ADD source (BuildKit: `failed to compute cache key: "/x": not found`). */
export class SourceNotFoundError extends ContextError {
  override readonly name = 'SourceNotFoundError';
  readonly source: string;
  /** The root-relative path that does not exist, `/`-prefixed as BuildKit prints it. */
  readonly missing: string;
  /** True when the path exists on disk but .dockerignore excludes it. */
  readonly excluded: boolean;
  constructor(source: string, missing: string, detail: 'not found' | 'not a directory', excluded = false) {
    const hint = excluded
      ? ` (it is excluded by .dockerignore; add a '!${missing.slice(1)}' exception or stop excluding it)`
      : ' (check that the path exists in the build context and is spelled with the right case)';
    super(ContextErrorCode.SourceNotFound, `failed to compute cache key: "${missing}": ${detail}${hint}`);
    this.source = source;
    this.missing = missing;
    this.excluded = excluded;
  }
}

/** A source uses `..` to climb above the root. */
export class SourceEscapeError extends ContextError {
  override readonly name = 'SourceEscapeError';
  readonly source: string;
  constructor(source: string) {
    super(ContextErrorCode.SourceEscape, `forbidden path outside the build context: ${source}; sources are relative to the context root, move the file into the context`);
    this.source = source;
  }
}

/** A symlink that a COPY/ADD source would follow points outside the root. */
export class SymlinkEscapeError extends ContextError {
  override readonly name = 'SymlinkEscapeError';
  readonly path: string;
  readonly linkTarget: string;
  constructor(path: string, linkTarget: string) {
    super(
      ContextErrorCode.SymlinkEscape,
      `refusing to follow symlink '${path}' -> '${linkTarget}': it points outside the build context; copy the target into the context or make the link relative and inside it`,
    );
    this.path = path;
    this.linkTarget = linkTarget;
  }
}

/** Resolving a source followed too many symlinks. */
export class SymlinkLoopError extends ContextError {
  override readonly name = 'SymlinkLoopError';
  readonly path: string;
  constructor(path: string) {
    super(ContextErrorCode.SymlinkLoop, `too many levels of symbolic links resolving '${path}'; break the symlink cycle`);
    this.path = path;
  }
}

/** A file changed (size or mtime) while it was being hashed. */
export class FileChangedError extends ContextError {
  override readonly name = 'FileChangedError';
  readonly path: string;
  constructor(path: string) {
    super(ContextErrorCode.FileChanged, `'${path}' changed while it was being read; stop writing into the build context during the build and build again`);
    this.path = path;
  }
}

/** The persistent digest memo could not be written. */
export class DigestCacheError extends ContextError {
  override readonly name = 'DigestCacheError';
  readonly file: string;
  constructor(file: string, cause: unknown) {
    const reason = (cause as NodeJS.ErrnoException | undefined)?.code ?? String(cause);
    super(ContextErrorCode.DigestCache, `cannot write the file digest cache '${file}' (${reason}); make its directory writable or remove it`, { cause });
    this.file = file;
  }
}
