import type { Descriptor } from '../image/index.js';

/** One layer of a stage: the blob in the content store and its uncompressed digest. */
export interface LayerRecord {
  descriptor: Descriptor;
  diffId: string;
  /**
   * When the layer was made (RFC 3339, whole seconds), kept with its cache entry: the time of its history entry,
   * as BuildKit gives it. Absent for entries recorded without one.
   */
  created?: string;
}
