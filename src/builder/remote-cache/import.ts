import type { ContentStore } from '../../cache/index.js';
import type { Descriptor } from '../../image/index.js';
import { downloadBlob, formatReference, parseReference, RegistryError, RegistryErrorCode, type FetchedManifest, type RegistryClient, type RegistryReference } from '../../registry/index.js';
import type { RemoteStepSource, StepCacheEntry } from '../step-cache.js';
import type { BuildOptions } from '../types.js';
import { parseCacheConfig, parseCacheManifest } from './cache-document.js';

/** One imported cache: where it is, and its entries by key. */
interface ImportedCache {
  reference: RegistryReference;
  entries: ReadonlyMap<string, StepCacheEntry>;
}

/**
 * Fetches the manifest and config of every `--cache-from` ref, in order (the first that has a key answers it).
 * A ref the registry does not have is reported to `onWarning` and skipped, as BuildKit does; one that names
 * something other than a build-image cache, or whose config is malformed, is a RemoteCacheError; registry failures
 * are RegistryErrors. Undefined when no cache was imported.
 */
export async function openRemoteCaches(
  options: Pick<BuildOptions, 'cacheFrom'>,
  client: RegistryClient,
  store: ContentStore,
  onWarning: (message: string) => void,
): Promise<RemoteStepSource | undefined> {
  const caches: ImportedCache[] = [];
  for (const spec of options.cacheFrom ?? []) {
    const reference = parseReference(spec.ref);
    const imported = await importCache(client, store, reference);
    if (imported) caches.push(imported);
    else onWarning(`cache ${formatReference(reference)} was not found in the registry: its steps are not cached for this build`);
  }
  return caches.length === 0 ? undefined : new RegistryStepSource(client, store, caches);
}

async function importCache(client: RegistryClient, store: ContentStore, reference: RegistryReference): Promise<ImportedCache | undefined> {
  const ref = formatReference(reference);
  let fetched: FetchedManifest;
  try {
    fetched = await client.getManifest(reference);
  } catch (error) {
    if (error instanceof RegistryError && error.code === RegistryErrorCode.NotFound) return undefined;
    throw error;
  }
  const manifest = parseCacheManifest(fetched.bytes, ref);
  // Verified by digest and size on the way into the store: a corrupted config is refused and nothing is kept.
  if (!(await store.hasBlob(manifest.config.digest))) await downloadBlob(client, reference, manifest.config, store);
  const entries = parseCacheConfig(await store.readBlob(manifest.config.digest), manifest, ref);
  return { reference, entries };
}

/** Answers local misses from imported caches, downloading a hit's layer only when the store lacks it. */
class RegistryStepSource implements RemoteStepSource {
  /** Downloads under way, by digest: two steps naming one layer fetch it once. */
  private readonly downloads = new Map<string, Promise<boolean>>();

  constructor(
    private readonly client: RegistryClient,
    private readonly store: ContentStore,
    private readonly caches: readonly ImportedCache[],
  ) {}

  async fetch(key: string): Promise<StepCacheEntry | undefined> {
    for (const cache of this.caches) {
      const entry = cache.entries.get(key);
      if (!entry) continue;
      if (entry.layer === null || (await this.ensureLayer(cache.reference, entry.layer))) return entry;
    }
    return undefined;
  }

  /** Whether the layer is in the store now; false when the registry no longer has it (then the key is a miss). */
  private ensureLayer(reference: RegistryReference, layer: Descriptor): Promise<boolean> {
    let download = this.downloads.get(layer.digest);
    if (!download) {
      download = this.download(reference, layer);
      this.downloads.set(layer.digest, download);
      // A failed or missing download may be tried again from another cache; a done one is found in the store.
      void download.finally(() => this.downloads.delete(layer.digest)).catch(() => undefined);
    }
    return download;
  }

  private async download(reference: RegistryReference, layer: Descriptor): Promise<boolean> {
    if ((await this.store.blobSize(layer.digest)) === layer.size) return true;
    try {
      await downloadBlob(this.client, reference, layer, this.store);
      return true;
    } catch (error) {
      if (error instanceof RegistryError && error.code === RegistryErrorCode.NotFound) return false;
      throw error;
    }
  }
}
