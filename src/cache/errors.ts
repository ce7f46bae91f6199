import { CodedError } from '../errors/index.js';
/**
 * Stable error codes of src/cache. Tools may switch on them; never rename one, only add.
 */
export const StoreErrorCode = {
  BlobNotFound: 'STORE_BLOB_NOT_FOUND',
  InvalidDigest: 'STORE_INVALID_DIGEST',
  InvalidRootName: 'STORE_INVALID_ROOT_NAME',
  RootTargetMissing: 'STORE_ROOT_TARGET_MISSING',
  LockTimeout: 'STORE_LOCK_TIMEOUT',
  SnapshotFailed: 'STORE_SNAPSHOT_FAILED',
  LeaseReleased: 'STORE_LEASE_RELEASED',
  UnsupportedVersion: 'STORE_UNSUPPORTED_VERSION',
} as const;

export type StoreErrorCode = (typeof StoreErrorCode)[keyof typeof StoreErrorCode];

/** Every failure of the content store that is not a verification error of the content itself (those are ImageErrors). */
export class StoreError extends CodedError<StoreErrorCode> {
  override readonly name: string = 'StoreError';
}

/** The store lock could not be taken in time: another process holds it (a long prune?). */
export class StoreLockTimeoutError extends StoreError {
  override readonly name = 'StoreLockTimeoutError';
  readonly lockFile: string;
  readonly holder: string | undefined;

  constructor(lockFile: string, waitedMs: number, holder: string | undefined) {
    super(
      StoreErrorCode.LockTimeout,
      `could not lock the build cache (${lockFile}) within ${Math.round(waitedMs / 1000)} s${holder ? `; it is held by ${holder}` : ''}. ` +
        'If no other build-image process is running, delete that file.',
    );
    this.lockFile = lockFile;
    this.holder = holder;
  }
}

/** The unpack callback of a snapshot failed; nothing was kept. */
export class SnapshotError extends StoreError {
  override readonly name = 'SnapshotError';
  readonly chainId: string;

  constructor(chainId: string, cause: unknown) {
    super(StoreErrorCode.SnapshotFailed, `unpacking snapshot ${chainId} failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.chainId = chainId;
  }
}
