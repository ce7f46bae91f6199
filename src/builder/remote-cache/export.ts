import type { ContentStore } from '../../cache/index.js';
import type { Descriptor } from '../../image/index.js';
import { formatReference, parseReference, pushImage, type RegistryClient, type RegistryReference } from '../../registry/index.js';
import type { LayerRecord } from '../layer-record.js';
import type { StepCacheEntry } from '../step-cache.js';
import type { BuildOptions } from '../types.js';
import { cacheConfigMediaType, layersOf, serializeCacheConfig, serializeCacheManifest } from './cache-document.js';

/** What one `--cache-to` pushed. */
export interface ExportedCache {
  /** The ref in full form (`host/repo:tag`). */
  ref: string;
  /** The digest of the pushed cache manifest. */
  digest: string;
  /** Cache keys exported. */
  keys: number;
  /** Layer blobs the manifest lists. */
  layers: number;
}

/**
 * Pushes the step cache entries a build hit or recorded (`touched`, from StepCache) to every `--cache-to` ref:
 * the layer blobs (skipped when the registry has them, mounted from a `--cache-from` repository of the same
 * registry when possible), the config document, then the manifest under the ref's tag.
 *
 * `mode: 'max'` exports every touched entry; `'min'` (the default, as BuildKit) only those that made one of the
 * final image's layers (`finalLayers`) or made no layer at all (they cost no blob).
 */
export async function exportRemoteCache(
  options: Pick<BuildOptions, 'cacheTo' | 'cacheFrom'>,
  client: RegistryClient,
  store: ContentStore,
  touched: ReadonlyMap<string, StepCacheEntry>,
  finalLayers: readonly LayerRecord[],
): Promise<ExportedCache[]> {
  const exported: ExportedCache[] = [];
  const sources = (options.cacheFrom ?? []).map((spec) => parseReference(spec.ref));
  for (const spec of options.cacheTo ?? []) {
    const target = parseReference(spec.ref);
    const entries = spec.mode === 'max' ? touched : finalImageEntries(touched, finalLayers);
    const mountFrom = sources.find((source) => source.registry === target.registry && source.repository !== target.repository);
    const digest = await pushCache(client, store, target, entries, mountFrom);
    exported.push({ ref: formatReference(target), digest, keys: entries.size, layers: layersOf(entries).length });
  }
  return exported;
}

function finalImageEntries(touched: ReadonlyMap<string, StepCacheEntry>, finalLayers: readonly LayerRecord[]): Map<string, StepCacheEntry> {
  const inImage = new Set(finalLayers.map((layer) => layer.descriptor.digest));
  return new Map([...touched].filter(([, entry]) => entry.layer === null || inImage.has(entry.layer.digest)));
}

async function pushCache(
  client: RegistryClient,
  store: ContentStore,
  target: RegistryReference,
  entries: ReadonlyMap<string, StepCacheEntry>,
  mountFrom: RegistryReference | undefined,
): Promise<string> {
  const written = await store.putBlob(serializeCacheConfig(entries));
  const config: Descriptor = { mediaType: cacheConfigMediaType, digest: written.digest, size: written.size };
  const manifest = serializeCacheManifest(config, entries);
  await store.putBlob(manifest.bytes, { digest: manifest.descriptor.digest, size: manifest.descriptor.size });
  return (await pushImage({ store, client, references: target, descriptor: manifest.descriptor, mountFrom })).digest;
}
