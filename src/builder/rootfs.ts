import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ContentStore } from '../cache/index.js';
import { chainIds } from '../image/index.js';
import { applyLayer } from '../layers/index.js';
import type { LayerRecord } from './layer-record.js';

const run = promisify(execFile);

/**
 * The filesystem of a stage at some point, unpacked into the content store as a snapshot named by its chain ID.
 * A snapshot is made from its parent's snapshot (copied, reflinked where the filesystem can) plus one layer, so
 * each layer is applied once per chain. Returns undefined for an empty filesystem.
 */
export async function materializeRootfs(store: ContentStore, layers: readonly LayerRecord[]): Promise<string | undefined> {
  if (layers.length === 0) return undefined;
  const ids = chainIds(layers.map((layer) => layer.diffId));
  let parent: string | undefined;
  for (let index = 0; index < layers.length; index++) {
    const below = parent;
    const layer = layers[index];
    const snapshot = await store.ensureSnapshot(ids[index], async (dir) => {
      if (below !== undefined) await run('cp', ['-a', '--reflink=auto', `${below}/.`, dir]);
      await applyLayer(await store.openBlob(layer.descriptor), dir);
    });
    parent = snapshot.path;
  }
  return parent;
}
