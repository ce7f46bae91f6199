import { createReadStream } from 'node:fs';
import { lstat, readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Digester, isDigest, parseDigest } from '../image/index.js';
import { readLeases } from './lease.js';
import { markReachable } from './mark.js';
import { mountsUnder } from './mounts.js';
import { abandoned, hostTag, ownerGone, ownerOfName } from './owner.js';
import type { RootStore } from './roots.js';
import { StoreLayout } from './store-layout.js';
import type { StoreContext } from './store-blobs.js';

export interface VerifyOptions {
  /** Delete blobs whose content does not match their digest (under the store lock). */
  repair?: boolean;
}

export interface VerifyReport {
  /** True when nothing is corrupt, missing, stray or left over. */
  ok: boolean;
  blobs: number;
  bytes: number;
  snapshots: number;
  /** Blobs whose content hashes to another digest (removed when repairing). */
  corrupt: { digest: string; actual: string; file: string }[];
  /** Blobs that roots or documents refer to but the store lacks. */
  missing: { digest: string; from: string }[];
  /** Files where only blobs or snapshots belong, with names that are not digests. */
  strays: string[];
  /** Leftovers prune would remove: temp entries of processes that are gone, stale leases, stale lock copies. */
  leftovers: string[];
  /** Files in refs/ that are not valid roots. */
  invalidRoots: string[];
  /** Mount points under the store that no live process owns (an overlay left by a build that died). */
  mounts: string[];
}

const knownTopLevel = new Set(['blobs', 'snapshots', 'refs', 'leases', 'tmp', 'lock', 'lock.next', 'store-version', 'context-digests', StoreLayout.parseMemoName, 'cache-mounts', 'registry']);

/** Hashes every blob and checks it against its name; reports leftovers, strays, missing and invalid roots. */
export async function verifyStore(context: StoreContext, roots: RootStore, settings: { leaseStaleMs: number; tempStaleMs: number }, options: VerifyOptions = {}): Promise<VerifyReport> {
  const { layout } = context;
  const report: VerifyReport = { ok: true, blobs: 0, bytes: 0, snapshots: 0, corrupt: [], missing: [], strays: [], leftovers: [], invalidRoots: [], mounts: [] };

  for (const algorithm of await readdir(layout.blobs).catch(() => [] as string[])) {
    const dir = path.join(layout.blobs, algorithm);
    for (const hex of await readdir(dir).catch(() => [] as string[])) {
      const file = path.join(dir, hex);
      const digest = `${algorithm}:${hex}`;
      const info = await stat(file).catch(() => undefined);
      if (!isDigest(digest) || !info?.isFile()) {
        report.strays.push(file);
        continue;
      }
      const { actual, size } = await hashFile(file, digest);
      report.blobs++;
      report.bytes += size;
      if (actual !== digest) report.corrupt.push({ digest, actual, file });
    }
  }

  for (const algorithm of await readdir(layout.snapshots).catch(() => [] as string[])) {
    const dir = path.join(layout.snapshots, algorithm);
    for (const hex of await readdir(dir).catch(() => [] as string[])) {
      const info = await lstat(path.join(dir, hex)).catch(() => undefined);
      if (isDigest(`${algorithm}:${hex}`) && info?.isDirectory()) report.snapshots++;
      else report.strays.push(path.join(dir, hex));
    }
  }

  const { roots: rootList, invalid } = await roots.list();
  report.invalidRoots = invalid;
  const leases = await readLeases(layout.leases, settings.leaseStaleMs);
  const marked = await markReachable(layout, [
    ...rootList.map((root) => ({ ...root.descriptor, from: `root ${root.kind}/${root.name}` })),
    ...leases.filter((lease) => lease.live).flatMap((lease) => lease.blobs.map((digest) => ({ digest, from: `lease ${path.basename(lease.file)}` }))),
  ]);
  report.missing = marked.missing;
  report.leftovers.push(...leases.filter((lease) => !lease.live).map((lease) => lease.file));

  const now = Date.now();
  const liveTemp: string[] = [];
  for (const name of await readdir(layout.tmp).catch(() => [] as string[])) {
    const file = path.join(layout.tmp, name);
    const info = await lstat(file).catch(() => undefined);
    if (info && abandoned(ownerOfName(name), info.mtimeMs, settings.tempStaleMs, now)) report.leftovers.push(file);
    if (info && ownedByLiveLocalProcess(name)) liveTemp.push(file);
  }
  // A running build's RUN step has its rootfs mounted in its temp entry; anything else mounted here is left over.
  report.mounts = (await mountsUnder(layout.root)).filter((mountPoint) => !liveTemp.some((entry) => mountPoint.startsWith(`${entry}/`)));
  for (const name of await readdir(layout.root).catch(() => [] as string[])) {
    if (/^lock(\.next)?\.stale-/.test(name)) report.leftovers.push(path.join(layout.root, name));
    else if (!knownTopLevel.has(name)) report.strays.push(path.join(layout.root, name));
  }

  if (options.repair && report.corrupt.length > 0) {
    await context.lock.withLock(async () => {
      // Hashed again under the lock: a writer may have replaced the blob with good content meanwhile.
      for (const { file, digest } of report.corrupt) {
        const again = await hashFile(file, digest).catch(() => undefined);
        if (again && again.actual !== digest) await unlink(file).catch(() => undefined);
      }
    });
  }
  report.ok = report.corrupt.length === 0 && report.missing.length === 0 && report.strays.length === 0 && report.leftovers.length === 0 && report.invalidRoots.length === 0 && report.mounts.length === 0;
  return report;
}

/** Mounts are per host: one is in use only inside a temp entry of a running process of this host. */
function ownedByLiveLocalProcess(name: string): boolean {
  const owner = ownerOfName(name);
  return owner !== undefined && owner.host === hostTag && !ownerGone(owner);
}

async function hashFile(file: string, digest: string): Promise<{ actual: string; size: number }> {
  const digester = new Digester(parseDigest(digest).algorithm);
  for await (const chunk of createReadStream(file)) digester.update(chunk as Buffer);
  return { actual: digester.digest(), size: digester.size };
}
