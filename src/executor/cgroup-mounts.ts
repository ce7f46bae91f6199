/**
 * Hybrid cgroup hosts (v1 controllers plus a cgroup2 mount such as /sys/fs/cgroup/unified) make crun refuse to
 * start ("cgroups in hybrid mode not supported"). crun runs fine once those cgroup2 mounts are hidden in its
 * mount namespace, so the executor starts it in a private one where they are covered by an empty tmpfs.
 */
import { parseMountinfo, type MountinfoEntry } from '../files/index.js';

/** The mount points of cgroup2 filesystems when the host is hybrid; empty on pure v1 or pure v2 hosts. */
export function hybridCgroup2Mounts(mounts: readonly MountinfoEntry[] = parseMountinfo()): string[] {
  const cgroup2 = mounts.filter((mount) => mount.fsType === 'cgroup2').map((mount) => mount.mountPoint);
  return cgroup2.includes('/sys/fs/cgroup') ? [] : cgroup2;
}
