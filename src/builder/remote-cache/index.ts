/**
 * src/builder/remote-cache: the step cache shared through a registry, as BuildKit's registry cache
 * (`--cache-to type=registry,ref=...`, `--cache-from type=registry,ref=...`). A cache is one OCI artifact: a
 * manifest whose config maps cache keys to step results and whose layers are the blobs they name. Importing
 * answers StepCache misses (a RemoteStepSource), downloading a layer only when a step hits it. This file is the
 * folder's only door.
 */
export { openRemoteCaches } from './import.js';
export { exportRemoteCache, type ExportedCache } from './export.js';
export { parseCacheOption, type CacheToSpec, type CacheFromSpec } from './cache-option.js';
export { cacheConfigMediaType } from './cache-document.js';
export { RemoteCacheError, RemoteCacheErrorCode } from './errors.js';
export type { RemoteStepSource, StepCacheEntry } from '../step-cache.js';
