import type { ContentStore } from '../cache/index.js';
import type { LayerChange } from '../layers/index.js';
import type { LayerRecord } from './layer-record.js';

/** Writes a change list as a gzip layer straight into the content store (the layer writer loads on first use). */
export async function storeLayer(store: ContentStore, changes: readonly LayerChange[], sourceDateEpoch: number | undefined): Promise<LayerRecord> {
  const { writeLayer } = await import('../layers/index.js');
  const writer = await store.createBlobWriter();
  try {
    const written = await writeLayer(changes, { output: writer.stream, compression: { type: 'gzip', level: 6 }, sourceDateEpoch });
    await writer.commit();
    return { descriptor: { mediaType: written.mediaType, digest: written.digest, size: written.size }, diffId: written.diffId };
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
