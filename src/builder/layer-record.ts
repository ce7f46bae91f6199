import type { Descriptor } from '../image/index.js';

/** One layer of a stage: the blob in the content store and its uncompressed digest. */
export interface LayerRecord {
  descriptor: Descriptor;
  diffId: string;
}
