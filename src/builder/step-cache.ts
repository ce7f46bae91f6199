import type { ContentStore } from '../cache/index.js';
import type { Descriptor } from '../image/index.js';
import type { LayerRecord } from './layer-record.js';

const cacheRecordMediaType = 'application/vnd.build-image.cache.step.v1+json';

/** What a cached step produced: its layer, or nothing for a step that changed no file. */
interface StepRecord {
  layer: Descriptor | null;
  diffId: string | null;
}

function rootName(key: string): string {
  return key.replace(':', '-');
}

/**
 * Step results by cache key, kept as roots of the content store (kind `step`): a small JSON record naming the
 * layer blob, so prune keeps what the cache refers to and drops the rest.
 */
export class StepCache {
  constructor(private readonly store: ContentStore) {}

  /** The cached result of a step, when the record and its layer are both in the store. */
  async lookup(key: string): Promise<{ layer: LayerRecord | undefined } | undefined> {
    const root = await this.store.getRoot('step', rootName(key));
    if (!root) return undefined;
    let record: StepRecord;
    try {
      record = JSON.parse((await this.store.readBlob(root.descriptor.digest)).toString('utf8')) as StepRecord;
    } catch {
      return undefined;
    }
    if (record.layer === null || record.diffId === null) return { layer: undefined };
    if (!(await this.store.hasBlob(record.layer.digest))) return undefined;
    return { layer: { descriptor: record.layer, diffId: record.diffId } };
  }

  async record(key: string, layer: LayerRecord | undefined): Promise<void> {
    const record: StepRecord = { layer: layer?.descriptor ?? null, diffId: layer?.diffId ?? null };
    const bytes = Buffer.from(JSON.stringify(record));
    const written = await this.store.putBlob(bytes);
    // The record names its layer through a descriptor, which is what prune follows from a root.
    const descriptor: Descriptor = { mediaType: cacheRecordMediaType, digest: written.digest, size: written.size };
    await this.store.setRoot('step', rootName(key), descriptor);
  }
}
