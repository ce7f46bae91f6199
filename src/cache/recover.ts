import { lstat, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { mountsUnder, unmountLeftover } from './mounts.js';
import { directoryIdentity, killProcesses, processesUsing } from './orphan-processes.js';
import { ownedName, ownerGone, ownerOfName } from './owner.js';
import { removeTree } from './remove-tree.js';
import type { StoreLayout } from './store-layout.js';

export interface RecoveryReport {
  /** Temp entries, leases and lock copies removed (their paths as found). */
  removed: string[];
  /** Mount points unmounted. */
  unmounted: string[];
  /** Processes killed. */
  killed: number[];
}

/**
 * Cleans up after processes of this host that died with work in progress (SIGKILL, the OOM killer): their
 * leases, their lock copies, and their temp entries, with whatever still holds those: processes started for them
 * (an OCI runtime and its container, `cp` filling a snapshot) are killed and overlay mounts are unmounted before
 * the entry is removed. Only what is owner-stamped with a process known to be gone is touched; entries of live
 * processes and of other hosts are left to their owners, or to prune's age limit. Two processes recovering at
 * once do not collide: an entry is claimed by renaming it under the recovering process's own name first.
 */
export async function recoverDeadOwners(layout: StoreLayout): Promise<RecoveryReport> {
  const report: RecoveryReport = { removed: [], unmounted: [], killed: [] };
  const list = (dir: string): Promise<string[]> => readdir(dir).catch(() => [] as string[]);
  const [leaseNames, rootNames, tmpNames] = await Promise.all([list(layout.leases), list(layout.root), list(layout.tmp)]);
  for (const name of leaseNames) {
    if (!name.endsWith('.lease') || !ownerGone(ownerOfName(name))) continue;
    const file = path.join(layout.leases, name);
    if (await unlink(file).then(() => true, () => false)) report.removed.push(file);
  }
  for (const name of rootNames) {
    const match = /^lock(?:\.next)?\.stale-(.*)$/.exec(name);
    if (!match || !ownerGone(ownerOfName(match[1]))) continue;
    const file = path.join(layout.root, name);
    if (await unlink(file).then(() => true, () => false)) report.removed.push(file);
  }

  const dead = tmpNames.filter((name) => ownerGone(ownerOfName(name))).map((name) => path.join(layout.tmp, name));
  if (dead.length === 0) return report;

  const directories = (await Promise.all(dead.map(async (entry) => ((await lstat(entry).catch(() => undefined))?.isDirectory() ? entry : undefined)))).filter(
    (entry): entry is string => entry !== undefined,
  );
  if (directories.length > 0) {
    const roots = new Set<string>();
    for (const entry of directories) for (const identity of await shallowIdentities(entry, 2)) roots.add(identity);
    // Whatever is found, never the host's own root: that would be every process.
    const hostRoot = await stat('/').catch(() => undefined);
    if (hostRoot) roots.delete(directoryIdentity(hostRoot));
    report.killed = await processesUsing(directories, roots);
    await killProcesses(report.killed);
  }

  const mounts = (await mountsUnder(layout.tmp)).filter((mountPoint) => directories.some((entry) => mountPoint.startsWith(`${entry}/`)));
  const stuck = new Set<string>();
  for (const mountPoint of mounts) {
    if (await unmountLeftover(mountPoint)) report.unmounted.push(mountPoint);
    else for (const entry of directories) if (mountPoint.startsWith(`${entry}/`)) stuck.add(entry);
  }

  for (const entry of dead) {
    // Never rm -r through a mount: it would delete in whatever is mounted there.
    if (stuck.has(entry)) continue;
    const claimed = path.join(layout.tmp, ownedName('.trash'));
    if (!(await rename(entry, claimed).then(() => true, () => false))) continue;
    await removeTree(claimed).catch(() => undefined);
    report.removed.push(entry);
  }
  return report;
}

/**
 * Identities of `dir` and the directories below it down to `depth` levels (a mount point: of what is mounted).
 * lstat: a symlink in an unpacked rootfs may point anywhere on the host (`/`), whose users are not ours to kill.
 */
async function shallowIdentities(dir: string, depth: number): Promise<string[]> {
  const info = await lstat(dir).catch(() => undefined);
  if (!info?.isDirectory()) return [];
  const found = [directoryIdentity(info)];
  if (depth === 0) return found;
  for (const name of await readdir(dir).catch(() => [] as string[])) found.push(...(await shallowIdentities(path.join(dir, name), depth - 1)));
  return found;
}
