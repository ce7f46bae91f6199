import type { SourceRange } from '../parser/index.js';
import { CodedError } from '../errors/index.js';

/**
 * Stable error codes of the builder's planning and configuration steps. Tools may switch on them; never rename
 * one, only add.
 */
export const BuildErrorCode = {
  /** The parse result still holds syntax errors. */
  InvalidDockerfile: 'DOCKERFILE_INVALID',
  /** No FROM at all. */
  NoStages: 'NO_BUILD_STAGES',
  /** An instruction other than ARG before the first FROM. */
  InstructionBeforeFrom: 'INSTRUCTION_BEFORE_FROM',
  UnknownTarget: 'UNKNOWN_TARGET_STAGE',
  /** Two stages with one name, when the caller asked for that to be an error (BuildKit only warns). */
  DuplicateStageName: 'DUPLICATE_STAGE_NAME',
  InvalidPlatform: 'INVALID_PLATFORM',
  /** FROM's image expanded to the empty string. */
  BlankBaseName: 'BLANK_BASE_NAME',
  InvalidImageReference: 'INVALID_IMAGE_REFERENCE',
  InvalidStageIndex: 'INVALID_STAGE_INDEX',
  /** `COPY --from=$VAR`: BuildKit does not expand the flag. */
  VariableInFrom: 'VARIABLE_IN_FROM_FLAG',
  CircularDependency: 'CIRCULAR_STAGE_DEPENDENCY',
  /** COPY --from or RUN --mount from=... naming a stage defined later in the file. */
  StageUsedBeforeDefinition: 'STAGE_USED_BEFORE_DEFINITION',
  ExpansionFailed: 'VARIABLE_EXPANSION_FAILED',
  InvalidMount: 'INVALID_MOUNT',
  InvalidPort: 'INVALID_EXPOSE_PORT',
  InvalidStopSignal: 'INVALID_STOP_SIGNAL',
  InvalidVolume: 'INVALID_VOLUME',
  InvalidWorkdir: 'INVALID_WORKDIR',
  InvalidOnbuildTrigger: 'INVALID_ONBUILD_TRIGGER',
  /** A registry output with neither a tag nor a name to push to. */
  NoPushName: 'NO_PUSH_NAME',
} as const;

export type BuildErrorCode = (typeof BuildErrorCode)[keyof typeof BuildErrorCode];

/** Where in which Dockerfile a problem is. */
export interface BuildErrorLocation {
  file: string;
  range: SourceRange;
}

export interface BuildErrorOptions {
  location?: BuildErrorLocation | undefined;
  /** What the user can do about it; appended to the message. */
  hint?: string | undefined;
  cause?: unknown;
}

function formatMessage(detail: string, options: BuildErrorOptions): string {
  const where = options.location ? `${options.location.file}:${options.location.range.start.line}:${options.location.range.start.column}: ` : '';
  return `${where}${detail}${options.hint ? `. ${options.hint}` : ''}`;
}

/**
 * Every error of the builder's pure half. `message` reads `file:line:column: what is wrong. What to do`; `detail`
 * is the BuildKit-style description alone, `hint` the advice alone.
 */
export class BuildError extends CodedError<BuildErrorCode> {
  override readonly name: string = 'BuildError';
  readonly detail: string;
  readonly hint: string | undefined;
  readonly location: BuildErrorLocation | undefined;

  constructor(code: BuildErrorCode, detail: string, options: BuildErrorOptions = {}) {
    super(code, formatMessage(detail, options), options.cause === undefined ? undefined : { cause: options.cause });
    this.detail = detail;
    this.hint = options.hint;
    this.location = options.location;
  }
}

/** The Dockerfile did not parse; `errors` are the parser's. */
export class DockerfileInvalidError extends BuildError {
  override readonly name = 'DockerfileInvalidError';
  readonly errors: readonly Error[];

  constructor(detail: string, errors: readonly Error[], options: BuildErrorOptions = {}) {
    super(BuildErrorCode.InvalidDockerfile, detail, options);
    this.errors = errors;
  }
}

/** Stages that cannot be found, ordered or told apart: targets, --from, FROM, duplicate names, cycles. */
export class StageResolutionError extends BuildError {
  override readonly name = 'StageResolutionError';
}

/** A platform string containerd cannot parse, or one that expanded to nothing. */
export class PlatformError extends BuildError {
  override readonly name = 'PlatformError';
}

/** An image reference that is not valid (`FROM Alpine`, `COPY --from=a:b:c`). */
export class ImageReferenceError extends BuildError {
  override readonly name = 'ImageReferenceError';
}

/** A word whose variables cannot be expanded (`${VAR:?message}`, bad substitution...). */
export class VariableExpansionError extends BuildError {
  override readonly name = 'VariableExpansionError';
}

/** A value that is invalid once expanded: port, stop signal, volume, working directory, mount. */
export class InstructionValueError extends BuildError {
  override readonly name = 'InstructionValueError';
}

/** An ONBUILD trigger (from a base image or stage) that cannot run. */
export class OnbuildTriggerError extends BuildError {
  override readonly name = 'OnbuildTriggerError';
}
