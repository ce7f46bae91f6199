/**
 * Typed failures of ADD's archive and URL sources. Each carries a stable `code` from StepErrorCode, which
 * BuildStepError keeps when it ties the failure to its Dockerfile line.
 */
import { StepErrorCode } from '../step-errors.js';
import { CodedError } from '../../errors/index.js';

/** Codes of ADD failures that only this folder raises. Never rename one, only add. */
export const AddErrorCode = {
  /** An archive has more entries or expands to more bytes than `BuildOptions.limits` allow (a tar or gzip bomb). */
  ArchiveLimit: 'ADD_ARCHIVE_LIMIT',
} as const;

export type AddErrorCode = (typeof AddErrorCode)[keyof typeof AddErrorCode];

export class AddSourceError extends CodedError<StepErrorCode | AddErrorCode> {
  override readonly name: string = 'AddSourceError';
  constructor(
    code: StepErrorCode | AddErrorCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** An archive entry that would be written outside the destination, or that no layer can hold. */
export class UnsafeArchiveEntryError extends AddSourceError {
  override readonly name = 'UnsafeArchiveEntryError';
  constructor(
    readonly archive: string,
    readonly entry: string,
    readonly reason: string,
  ) {
    super(StepErrorCode.UnsafeArchiveEntry, `refusing entry '${entry}' of archive ${archive}: ${reason}`);
  }
}

/** The archive was recognised (its first header is valid) but reading it further failed. */
export class ArchiveUnreadableError extends AddSourceError {
  override readonly name = 'ArchiveUnreadableError';
  constructor(
    readonly archive: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(StepErrorCode.ArchiveUnreadable, `archive ${archive} cannot be unpacked: ${detail}`, undefined, options);
  }
}

/** An archive crossed one of the limits on entries and expanded bytes; nothing of it is kept. */
export class ArchiveLimitError extends AddSourceError {
  override readonly name = 'ArchiveLimitError';
  constructor(
    readonly archive: string,
    detail: string,
    readonly limit: 'archiveEntries' | 'archiveBytes',
  ) {
    super(
      AddErrorCode.ArchiveLimit,
      `refusing to unpack archive ${archive}: ${detail}`,
      `If the archive is trusted, raise limits.${limit} in the build options, or use ADD --unpack=false to copy it as a file`,
    );
  }
}

export class DecompressorUnavailableError extends AddSourceError {
  override readonly name = 'DecompressorUnavailableError';
  constructor(
    readonly archive: string,
    readonly tool: string,
    debianPackage: string,
  ) {
    super(
      StepErrorCode.DecompressorUnavailable,
      `${archive} is ${tool}-compressed and the '${tool}' command is not installed`,
      `Install it (Debian package '${debianPackage}'), or use ADD --unpack=false to copy the archive as a file`,
    );
  }
}

export class InvalidChecksumError extends AddSourceError {
  override readonly name = 'InvalidChecksumError';
  constructor(detail: string) {
    super(StepErrorCode.InvalidChecksum, detail);
  }
}

/** `--checksum` and the downloaded content differ; the download is not kept. */
export class ChecksumMismatchError extends AddSourceError {
  override readonly name = 'ChecksumMismatchError';
  constructor(
    readonly url: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(StepErrorCode.ChecksumMismatch, `digest mismatch for ${url}: got ${actual}, expected ${expected}`);
  }
}

export class DownloadFailedError extends AddSourceError {
  override readonly name = 'DownloadFailedError';
  constructor(
    readonly url: string,
    detail: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(StepErrorCode.DownloadFailed, `downloading ${url} failed: ${detail}`, undefined, options);
  }
}
