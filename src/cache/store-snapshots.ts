import { mkdir, rename, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { parseDigest } from '../image/index.js';
import { SnapshotError } from './errors.js';
import type { Lease } from './lease.js';
import { ownedName } from './owner.js';
import { removeTree } from './remove-tree.js';
import type { StoreContext } from './store-blobs.js';

/** Fills a new, empty directory with a snapshot's content (e.g. applies the layers of a chain). */
export type UnpackSnapshot = (dir: string) => Promise<void>;

export interface SnapshotResult {
  /** The snapshot directory: snapshots/<alg>/<hex of the chain ID>. */
  path: string;
  /** Whether this call made it (false: it was there, or another process made it first). */
  created: boolean;
}

export async function snapshotExists(context: StoreContext, chainId: string): Promise<boolean> {
  const info = await stat(context.layout.snapshot(chainId)).catch(() => undefined);
  return info?.isDirectory() ?? false;
}

/**
 * The snapshot of a chain ID, made when missing: `unpack` fills a fresh directory in the store's tmp/, which is
 * renamed into place only when it succeeds, so a snapshot directory is always complete. Two processes making the
 * same snapshot both unpack; the first rename wins and the other copy is dropped. The lease records the snapshot
 * (under the lock) before it is used.
 */
export async function ensureStoreSnapshot(context: StoreContext, lease: Lease | undefined, chainId: string, unpack: UnpackSnapshot): Promise<SnapshotResult> {
  parseDigest(chainId);
  const { layout, lock } = context;
  const target = layout.snapshot(chainId);
  const reuse = async (): Promise<boolean> => {
    if (!(await snapshotExists(context, chainId))) return false;
    await lease?.add({ snapshots: [chainId] });
    const now = new Date();
    await utimes(target, now, now).catch(() => undefined);
    return true;
  };
  if (await lock.withLock(reuse)) return { path: target, created: false };

  await mkdir(layout.tmp, { recursive: true });
  const temp = path.join(layout.tmp, ownedName('.snapshot'));
  await mkdir(temp, { mode: 0o755 });
  try {
    await unpack(temp);
  } catch (error) {
    await removeTree(temp);
    throw new SnapshotError(chainId, error);
  }
  const created = await lock.withLock(async () => {
    if (await reuse()) return false;
    await lease?.add({ snapshots: [chainId] });
    await mkdir(path.dirname(target), { recursive: true });
    await rename(temp, target);
    return true;
  });
  if (!created) await removeTree(temp);
  return { path: target, created };
}
