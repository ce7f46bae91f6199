import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ContentStore } from '../cache/index.js';
import { chainIds } from '../image/index.js';
import type { LayerRecord } from './layer-record.js';

const run = promisify(execFile);

/**
 * The filesystem of a stage at some point, unpacked into the content store as a snapshot named by its chain ID.
 * A snapshot is made from its parent's snapshot plus one layer, so each layer is applied once per chain (and the
 * layer applier loaded only then). Returns undefined for an empty filesystem.
 */
export async function materializeRootfs(store: ContentStore, layers: readonly LayerRecord[]): Promise<string | undefined> {
  if (layers.length === 0) return undefined;
  const ids = chainIds(layers.map((layer) => layer.diffId));
  let parent: string | undefined;
  for (let index = 0; index < layers.length; index++) {
    const below = parent;
    const layer = layers[index];
    const snapshot = await store.ensureSnapshot(ids[index], async (dir) => {
      if (below !== undefined) await copyTree(below, dir);
      const { applyLayer } = await import('../layers/index.js');
      await applyLayer(await store.openBlob(layer.descriptor), dir);
    });
    parent = snapshot.path;
  }
  return parent;
}

/**
 * A snapshot's files as hard links to its parent's (directories are new): cheap, and safe because snapshots are
 * never written in place: the layer applier replaces a file by unlinking it, RUN sees snapshots only as
 * read-only overlay lowers, and writable mounts of them are copies. A full copy where links cannot be made.
 */
async function copyTree(from: string, to: string): Promise<void> {
  try {
    await run('cp', ['-a', '-l', `${from}/.`, to]);
  } catch {
    await run('cp', ['-a', '--reflink=auto', `${from}/.`, to]);
  }
}
