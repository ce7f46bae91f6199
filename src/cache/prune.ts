import { lstat, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { isDigest } from '../image/index.js';
import { readLeases } from './lease.js';
import { markReachable, type MarkStart } from './mark.js';
import { mountsUnder } from './mounts.js';
import { abandoned, ownedName, ownerOfName } from './owner.js';
import { recoverDeadOwners } from './recover.js';
import { removeTree } from './remove-tree.js';
import type { RootStore } from './roots.js';
import type { StoreContext } from './store-blobs.js';

export interface PruneOptions {
  /** Keep unreferenced blobs and snapshots younger than this (by mtime; default 0: remove them all). */
  minAgeMs?: number;
  /** Report what would be removed, remove nothing. */
  dryRun?: boolean;
}

export interface PruneReport {
  /** Digests of the blobs removed. */
  removedBlobs: string[];
  /** Chain IDs of the snapshots removed. */
  removedSnapshots: string[];
  /** Leftover temp entries, stale leases and stale lock files removed (paths). */
  removedLeftovers: string[];
  /** Bytes of the blobs removed. */
  freedBytes: number;
  keptBlobs: number;
  keptSnapshots: number;
  /** Blobs that roots or documents refer to but the store lacks. */
  missing: { digest: string; from: string }[];
  /** Files in refs/ that are not valid roots (left in place). */
  invalidRoots: string[];
}

export interface PruneSettings {
  leaseStaleMs: number;
  tempStaleMs: number;
}

/**
 * Removes what no root and no live lease reaches: blobs, snapshots, leftovers (temp entries of processes that are
 * gone, stale leases). Runs under the store lock, so no writer commits a blob or snapshot, records a lease entry or
 * sets a root meanwhile. Snapshots are renamed into tmp/ under this process's name before they are deleted, so a
 * snapshot directory is never seen half-deleted; the deleting happens after the lock is released.
 */
export async function pruneStore(context: StoreContext, roots: RootStore, settings: PruneSettings, options: PruneOptions = {}): Promise<PruneReport> {
  const { layout } = context;
  const minAgeMs = options.minAgeMs ?? 0;
  const dryRun = options.dryRun ?? false;
  const report: PruneReport = {
    removedBlobs: [],
    removedSnapshots: [],
    removedLeftovers: [],
    freedBytes: 0,
    keptBlobs: 0,
    keptSnapshots: 0,
    missing: [],
    invalidRoots: [],
  };
  const trash: string[] = [];
  // Leftovers of dead processes of this host go first, with the mounts and processes that may still hold them.
  if (!dryRun) report.removedLeftovers.push(...(await recoverDeadOwners(layout)).removed);

  await context.lock.withLock(async () => {
    const now = Date.now();
    const { roots: rootList, invalid } = await roots.list();
    report.invalidRoots = invalid;
    const starts: MarkStart[] = rootList.map((root) => ({ ...root.descriptor, from: `root ${root.kind}/${root.name}` }));
    const leasedSnapshots: string[] = [];
    for (const lease of await readLeases(layout.leases, settings.leaseStaleMs)) {
      if (!lease.live) {
        report.removedLeftovers.push(lease.file);
        if (!dryRun) await unlink(lease.file).catch(() => undefined);
        continue;
      }
      starts.push(...lease.blobs.map((digest) => ({ digest, from: `lease ${path.basename(lease.file)}` })));
      leasedSnapshots.push(...lease.snapshots);
    }
    const marked = await markReachable(layout, starts, leasedSnapshots);
    report.missing = marked.missing;

    for (const { digest, file } of await listNamed(layout.blobs)) {
      const info = await stat(file).catch(() => undefined);
      if (!info) continue;
      if (marked.blobs.has(digest) || now - info.mtimeMs < minAgeMs) {
        report.keptBlobs++;
        continue;
      }
      report.removedBlobs.push(digest);
      report.freedBytes += info.size;
      if (!dryRun) await unlink(file).catch(() => undefined);
    }

    for (const { digest, file } of await listNamed(layout.snapshots)) {
      const info = await lstat(file).catch(() => undefined);
      if (!info) continue;
      if (marked.snapshots.has(digest) || now - info.mtimeMs < minAgeMs) {
        report.keptSnapshots++;
        continue;
      }
      report.removedSnapshots.push(digest);
      if (!dryRun) {
        const aside = path.join(layout.tmp, ownedName('.trash'));
        await rename(file, aside);
        trash.push(aside);
      }
    }

    // Never rm -r through a mount (one recoverDeadOwners could not unmount, or a running build's overlay): it would
    // delete in whatever is mounted there.
    const mounted = await mountsUnder(layout.tmp);
    for (const name of await readdir(layout.tmp).catch(() => [] as string[])) {
      const file = path.join(layout.tmp, name);
      const info = await lstat(file).catch(() => undefined);
      if (!info || trash.includes(file) || mounted.some((mountPoint) => mountPoint.startsWith(`${file}/`))) continue;
      if (abandoned(ownerOfName(name), info.mtimeMs, settings.tempStaleMs, now)) {
        report.removedLeftovers.push(file);
        if (!dryRun) trash.push(file);
      }
    }

    for (const name of await readdir(layout.root).catch(() => [] as string[])) {
      if (!/^lock(\.next)?\.stale-/.test(name)) continue;
      const file = path.join(layout.root, name);
      report.removedLeftovers.push(file);
      if (!dryRun) await unlink(file).catch(() => undefined);
    }
  });

  for (const file of trash) await removeTree(file);
  return report;
}

/** Entries `<dir>/<alg>/<hex>` whose name is a valid digest. */
export async function listNamed(dir: string): Promise<{ digest: string; file: string }[]> {
  const result: { digest: string; file: string }[] = [];
  for (const algorithm of await readdir(dir).catch(() => [] as string[])) {
    for (const hex of await readdir(path.join(dir, algorithm)).catch(() => [] as string[])) {
      const digest = `${algorithm}:${hex}`;
      if (isDigest(digest)) result.push({ digest, file: path.join(dir, algorithm, hex) });
    }
  }
  return result;
}
