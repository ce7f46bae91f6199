import { CodedError } from '../../errors/index.js';
/** Stable error codes of the registry cache (`--cache-to` / `--cache-from`). Never rename one, only add. */
export const RemoteCacheErrorCode = {
  /** A `--cache-to` / `--cache-from` value this builder does not accept (another type, a missing ref...). */
  InvalidOption: 'REMOTE_CACHE_INVALID_OPTION',
  /** What the ref names is not a build-image cache, or its cache document is malformed. */
  InvalidCache: 'REMOTE_CACHE_INVALID',
} as const;

export type RemoteCacheErrorCode = (typeof RemoteCacheErrorCode)[keyof typeof RemoteCacheErrorCode];

export class RemoteCacheError extends CodedError<RemoteCacheErrorCode> {
  override readonly name = 'RemoteCacheError';
  /** The cache ref the error is about, when there is one. */
  readonly ref: string | undefined;

  constructor(code: RemoteCacheErrorCode, message: string, details: { ref?: string; cause?: unknown } = {}) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.ref = details.ref;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, ref: this.ref };
  }
}
