import type { SourceRange } from '../parser/index.js';
import { CodedError } from '../errors/index.js';

/** Stable codes of errors raised while a build runs its steps. Never rename one, only add. */
export const StepErrorCode = {
  /** RUN needs crun, runc or the tools of the built-in executor (util-linux), and none is installed. */
  NoExecutor: 'NO_EXECUTOR',
  /** No longer raised (base images are pulled from registries now); kept because codes are never removed. */
  RegistryUnavailable: 'REGISTRY_UNAVAILABLE',
  /** A `--build-context` value is not something this step can read. */
  InvalidBuildContext: 'INVALID_BUILD_CONTEXT',
  /** Several sources copied to a destination that is not a directory. */
  CopyDestination: 'COPY_DESTINATION_NOT_DIRECTORY',
  /** `--chown` names a user or group that the image's /etc/passwd or /etc/group does not have. */
  UnknownUser: 'UNKNOWN_USER_OR_GROUP',
  InvalidChmod: 'INVALID_CHMOD',
  /** `ADD` of a git repository (a `.git` URL or `git@...`): not supported. */
  RemoteSourceUnsupported: 'REMOTE_SOURCE_UNSUPPORTED',
  /** An ADD archive entry would land outside the destination (`..`, absolute name, symlink or hardlink escape). */
  UnsafeArchiveEntry: 'ADD_UNSAFE_ARCHIVE_ENTRY',
  /** An ADD archive is damaged past its first entry, or holds what a layer cannot store. */
  ArchiveUnreadable: 'ADD_ARCHIVE_UNREADABLE',
  /** Reading a bzip2, xz or zstd archive needs a command-line tool that is not installed. */
  DecompressorUnavailable: 'ADD_DECOMPRESSOR_UNAVAILABLE',
  /** `ADD --checksum` is malformed, or given for a source that is not an http(s) URL. */
  InvalidChecksum: 'ADD_INVALID_CHECKSUM',
  /** A downloaded file's digest differs from `--checksum`. */
  ChecksumMismatch: 'ADD_CHECKSUM_MISMATCH',
  /** An ADD URL could not be fetched: network failure or an http error status. */
  DownloadFailed: 'ADD_DOWNLOAD_FAILED',
  /** The build was cancelled through its AbortSignal. */
  Aborted: 'BUILD_ABORTED',
  /** Any other failure of a step; `cause` holds the original error. */
  StepFailed: 'STEP_FAILED',
  /** A RUN command exited with a non-zero code (or was killed). */
  RunFailed: 'RUN_FAILED',
  /** A `RUN --mount=type=secret,required` names a secret the build was not given. */
  SecretNotFound: 'SECRET_NOT_FOUND',
  /** A RUN mount this version cannot provide (`type=ssh`), or a mount source that is not usable. */
  MountUnsupported: 'MOUNT_UNSUPPORTED',
  /** `RUN --network=host` or `--security=insecure` without the matching `allow` entitlement. */
  EntitlementRequired: 'ENTITLEMENT_REQUIRED',
} as const;

export type StepErrorCode = (typeof StepErrorCode)[keyof typeof StepErrorCode];

/** A failure inside a step's work, before it is tied to the step. */
export class StepProblem extends CodedError<StepErrorCode> {
  override readonly name = 'StepProblem';
  constructor(
    code: StepErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(code, message);
  }
}

/**
 * A step that failed: `message` reads `file:line:column: INSTRUCTION: what went wrong`, `code` is the underlying
 * error's stable code when it has one.
 */
export class BuildStepError extends Error {
  override readonly name = 'BuildStepError';
  readonly code: string;
  readonly instruction: string;
  readonly location: { file: string; range: SourceRange };
  readonly hint: string | undefined;

  constructor(error: unknown, instruction: string, location: { file: string; range: SourceRange }) {
    const inner = error instanceof Error ? error : new Error(String(error));
    const start = location.range.start;
    super(`${location.file}:${start.line}:${start.column}: ${instruction}: ${inner.message}`, { cause: error });
    const code = (inner as { code?: unknown }).code;
    this.code = typeof code === 'string' ? code : StepErrorCode.StepFailed;
    this.instruction = instruction;
    this.location = location;
    this.hint = (inner as { hint?: string }).hint;
  }
}
