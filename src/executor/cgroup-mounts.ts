/**
 * Hybrid cgroup hosts (v1 controllers plus a cgroup2 mount such as /sys/fs/cgroup/unified) make crun refuse to
 * start ("cgroups in hybrid mode not supported"). crun runs fine once those cgroup2 mounts are hidden in its
 * mount namespace, so the executor starts it in a private one where they are covered by an empty tmpfs.
 */
import { readFileSync } from 'node:fs';

/** The mount points of cgroup2 filesystems when the host is hybrid; empty on pure v1 or pure v2 hosts. */
export function hybridCgroup2Mounts(mountinfo = readMountinfo()): string[] {
  const cgroup2: string[] = [];
  let unifiedRoot = false;
  for (const line of mountinfo.split('\n')) {
    const [before, after] = line.split(' - ');
    if (after === undefined) continue;
    const fsType = after.split(' ')[0];
    const mountPoint = unescapeMountPath(before.split(' ')[4]);
    if (fsType !== 'cgroup2') continue;
    if (mountPoint === '/sys/fs/cgroup') unifiedRoot = true;
    cgroup2.push(mountPoint);
  }
  return unifiedRoot ? [] : cgroup2;
}

function readMountinfo(): string {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return '';
  }
}

/** mountinfo writes space, tab, newline and backslash as octal escapes. */
export function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
