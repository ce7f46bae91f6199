import type { ContentStore } from '../cache/index.js';
import type { Descriptor } from '../image/index.js';
import type { LayerRecord } from './layer-record.js';

const cacheRecordMediaType = 'application/vnd.build-image.cache.step.v1+json';

/** What a cached step produced: its layer, or nothing for a step that changed no file. */
export interface StepCacheEntry {
  layer: Descriptor | null;
  diffId: string | null;
  /** When the layer was made (see LayerRecord.created). */
  created?: string;
}

/**
 * Where a local miss is looked up next (a registry cache imported with `--cache-from`). `fetch` answers the entry
 * for a key with its layer blob already in the store, or undefined when the source has no such key.
 */
export interface RemoteStepSource {
  fetch(key: string): Promise<StepCacheEntry | undefined>;
}

export interface StepCacheOptions {
  remote?: RemoteStepSource | undefined;
}

/** An RFC 3339 UTC time in whole seconds, as image histories hold them. */
export function isHistoryTime(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(value);
}

/** `time` (ms since the epoch) as a history time. */
export function historyTime(time: number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function rootName(key: string): string {
  return key.replace(':', '-');
}

function layerOf(entry: StepCacheEntry): { layer: LayerRecord | undefined } {
  if (entry.layer === null || entry.diffId === null) return { layer: undefined };
  return { layer: { descriptor: entry.layer, diffId: entry.diffId, ...(entry.created !== undefined ? { created: entry.created } : {}) } };
}

/**
 * Step results by cache key, kept as roots of the content store (kind `step`): a small JSON record naming the
 * layer blob, so prune keeps what the cache refers to and drops the rest.
 */
export class StepCache {
  /** Every entry this build hit or recorded, by key: what `--cache-to` exports. */
  readonly touched = new Map<string, StepCacheEntry>();
  private readonly remote: RemoteStepSource | undefined;

  constructor(
    private readonly store: ContentStore,
    options: StepCacheOptions = {},
  ) {
    this.remote = options.remote;
  }

  /**
   * The cached result of a step, when the record and its layer are both in the store; else the remote source's
   * entry, which is then recorded locally so the next build finds it here.
   */
  async lookup(key: string): Promise<{ layer: LayerRecord | undefined } | undefined> {
    const local = await this.localEntry(key);
    if (local) {
      this.touched.set(key, local);
      return layerOf(local);
    }
    const remote = await this.remote?.fetch(key);
    if (!remote) return undefined;
    await this.write(key, remote);
    return layerOf(remote);
  }

  /**
   * Records what a step made, at `created` (a history time), and returns the layer as recorded. A step that made
   * the same layer as the entry its key already has (a --no-cache rebuild) keeps that entry and its time, so the
   * image stays the same and the store gains nothing.
   */
  async record(key: string, layer: LayerRecord | undefined, created: string): Promise<LayerRecord | undefined> {
    const existing = await this.localEntry(key);
    if (existing && existing.layer?.digest === layer?.descriptor.digest && existing.diffId === (layer?.diffId ?? null)) {
      this.touched.set(key, existing);
      return layerOf(existing).layer;
    }
    const entry: StepCacheEntry = { layer: layer?.descriptor ?? null, diffId: layer?.diffId ?? null, ...(layer ? { created } : {}) };
    await this.write(key, entry);
    return layerOf(entry).layer;
  }

  private async localEntry(key: string): Promise<StepCacheEntry | undefined> {
    const root = await this.store.getRoot('step', rootName(key));
    if (!root) return undefined;
    let entry: StepCacheEntry;
    try {
      entry = JSON.parse((await this.store.readBlob(root.descriptor.digest)).toString('utf8')) as StepCacheEntry;
    } catch {
      return undefined;
    }
    if (entry.layer !== null && entry.diffId !== null && !(await this.store.hasBlob(entry.layer.digest))) return undefined;
    return { layer: entry.layer ?? null, diffId: entry.diffId ?? null, ...(isHistoryTime(entry.created) ? { created: entry.created } : {}) };
  }

  private async write(key: string, entry: StepCacheEntry): Promise<void> {
    const bytes = Buffer.from(JSON.stringify(entry));
    const written = await this.store.putBlob(bytes);
    // The record names its layer through a descriptor, which is what prune follows from a root.
    const descriptor: Descriptor = { mediaType: cacheRecordMediaType, digest: written.digest, size: written.size };
    await this.store.setRoot('step', rootName(key), descriptor);
    this.touched.set(key, entry);
  }
}
