import { canonicalJsonBytes, checkDescriptor, isDigest, maxDocumentSize, parseJson, parseManifest, serializeManifest, type Descriptor, type ImageManifest, type SerializedDocument } from '../../image/index.js';
import { isHistoryTime, type StepCacheEntry } from '../step-cache.js';
import { RemoteCacheError, RemoteCacheErrorCode } from './errors.js';

/**
 * The registry cache as one OCI artifact: an image manifest whose config is a JSON document of step cache entries
 * by cache key, and whose layers are every layer blob those entries name (so the registry keeps them, and pushes
 * and mounts of them work as for image layers):
 *
 *   config: { "schemaVersion": 1, "steps": { "sha256:<key>": { "layer": <descriptor> | null, "diffId": ... } } }
 */
export const cacheConfigMediaType = 'application/vnd.build-image.cache.config.v1+json';

const cacheKeyPattern = /^sha256:[a-f0-9]{64}$/;

/** The config document's bytes: canonical JSON, so the same entries give the same digest on every machine. */
export function serializeCacheConfig(entries: ReadonlyMap<string, StepCacheEntry>): Buffer {
  const steps: Record<string, StepCacheEntry> = {};
  for (const [key, entry] of entries) steps[key] = { layer: entry.layer, diffId: entry.diffId, ...(entry.created !== undefined ? { created: entry.created } : {}) };
  return canonicalJsonBytes({ schemaVersion: 1, steps });
}

/** The artifact manifest over a stored config blob and the layers its entries name (each once, by digest). */
export function serializeCacheManifest(config: Descriptor, entries: ReadonlyMap<string, StepCacheEntry>): SerializedDocument {
  return serializeManifest({ config, layers: layersOf(entries), artifactType: cacheConfigMediaType });
}

export function layersOf(entries: ReadonlyMap<string, StepCacheEntry>): Descriptor[] {
  const byDigest = new Map<string, Descriptor>();
  for (const entry of entries.values()) if (entry.layer) byDigest.set(entry.layer.digest, entry.layer);
  return [...byDigest.values()].sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
}

/** Checks that a manifest fetched from `ref` is a build-image cache and that its config can be read into memory. */
export function parseCacheManifest(bytes: Uint8Array, ref: string): ImageManifest {
  let manifest: ImageManifest;
  try {
    manifest = parseManifest(bytes, `cache manifest ${ref}`);
  } catch (error) {
    throw new RemoteCacheError(RemoteCacheErrorCode.InvalidCache, `${ref} is not a build-image cache: ${(error as Error).message}`, { ref, cause: error });
  }
  if (manifest.config.mediaType !== cacheConfigMediaType) {
    throw new RemoteCacheError(
      RemoteCacheErrorCode.InvalidCache,
      `${ref} is not a build-image cache: its config is ${manifest.config.mediaType}, not ${cacheConfigMediaType} (was it pushed by another tool, or is it an image?)`,
      { ref },
    );
  }
  if (manifest.config.size > maxDocumentSize) {
    throw new RemoteCacheError(RemoteCacheErrorCode.InvalidCache, `cache ${ref}: its config is ${manifest.config.size} bytes, more than the ${maxDocumentSize} accepted`, { ref });
  }
  return manifest;
}

/**
 * Reads the config document of a cache manifest: every key a sha256 digest, every entry a layer descriptor with
 * its diff ID or nothing, and every layer listed in the manifest (a layer it does not list, the registry may drop).
 */
export function parseCacheConfig(bytes: Uint8Array, manifest: ImageManifest, ref: string): Map<string, StepCacheEntry> {
  const fail = (detail: string, cause?: unknown): never => {
    throw new RemoteCacheError(RemoteCacheErrorCode.InvalidCache, `cache ${ref}: the config document ${detail}`, { ref, cause });
  };
  let document: unknown;
  try {
    document = parseJson(bytes, 'cache config');
  } catch (error) {
    return fail('is not valid JSON', error);
  }
  if (!isObject(document) || document.schemaVersion !== 1 || !isObject(document.steps)) return fail('is not a schemaVersion 1 object with "steps"');
  const listed = new Set(manifest.layers.map((layer) => layer.digest));
  const entries = new Map<string, StepCacheEntry>();
  for (const [key, value] of Object.entries(document.steps)) {
    if (!cacheKeyPattern.test(key)) fail(`has a key that is not a sha256 digest: ${JSON.stringify(key.slice(0, 80))}`);
    if (!isObject(value)) return fail(`has a non-object entry for ${key}`);
    if (value.layer === null && value.diffId === null) {
      entries.set(key, { layer: null, diffId: null });
      continue;
    }
    let layer: Descriptor;
    try {
      layer = checkDescriptor(value.layer, `entry ${key}: layer`);
    } catch (error) {
      return fail(`has an invalid layer for ${key}: ${(error as Error).message}`, error);
    }
    if (!isDigest(value.diffId)) fail(`has an invalid diffId for ${key}`);
    if (!listed.has(layer.digest)) fail(`names layer ${layer.digest}, which the manifest does not list`);
    // Kept whole: the descriptor goes into the image manifest as it was exported, so digests match across machines.
    if (value.created !== undefined && !isHistoryTime(value.created)) fail(`has an invalid created time for ${key}`);
    entries.set(key, { layer, diffId: value.diffId as string, ...(value.created !== undefined ? { created: value.created as string } : {}) });
  }
  return entries;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
