/**
 * src/cache: the content store on disk (blobs by digest, snapshots by chain ID, roots, leases, prune, verify).
 * The step cache will live here too. This file is the folder's only door.
 */
export { ContentStore, type ContentStoreOptions } from './content-store.js';
export { defaultStoreRoot, StoreLayout, storeVersion } from './store-layout.js';
export { Lease, type LeaseContent } from './lease.js';
export { rootFileName, type Root } from './roots.js';
export type { BlobWriter } from './store-blobs.js';
export type { SnapshotResult, UnpackSnapshot } from './store-snapshots.js';
export type { PruneOptions, PruneReport } from './prune.js';
export type { VerifyOptions, VerifyReport } from './verify.js';
export { StoreLock, type StoreLockOptions } from './store-lock.js';
export { removeTree } from './remove-tree.js';
export { ownedName } from './owner.js';
export type { RecoveryReport } from './recover.js';
export { StoreError, StoreErrorCode, StoreLockTimeoutError, SnapshotError } from './errors.js';
