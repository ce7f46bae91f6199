/**
 * Facts about the user namespace this process runs in, read from /proc/self. Root in a child user namespace
 * (rootless, see user-namespace.ts) may mount overlays and run containers, but the kernel holds a few things back:
 * hard limits cannot be raised, overlayfs keeps its markers in `user.overlay.*` xattrs, ids outside the mapping
 * cannot be used, and with a single-id mapping setgroups(2) is denied.
 */
import { readProcFile } from '../files/index.js';

/** One line of /proc/PID/uid_map or gid_map: `count` ids from `inside` on are `outside` on in the parent. */
export interface IdRange {
  readonly inside: number;
  readonly outside: number;
  readonly count: number;
}

const FULL_RANGE = 4294967295;

export function parseIdMap(text: string): IdRange[] {
  return text
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((fields) => fields.length === 3 && fields.every(Number.isInteger))
    .map(([inside, outside, count]) => ({ inside, outside, count }));
}


/** This process's uid or gid map; undefined where /proc does not tell (not Linux). */
export function currentIdMap(kind: 'uid' | 'gid'): IdRange[] | undefined {
  const text = readProcFile(`/proc/self/${kind}_map`);
  return text === undefined ? undefined : parseIdMap(text);
}

/** Whether the map is the initial namespace's identity map (also true where there is no /proc to read). */
export function isInitialIdMap(map: readonly IdRange[] | undefined = currentIdMap('uid')): boolean {
  if (map === undefined) return true;
  return map.length === 1 && map[0].inside === 0 && map[0].outside === 0 && map[0].count === FULL_RANGE;
}

/** Whether this process runs in a user namespace other than the initial one. */
export function inChildUserNamespace(): boolean {
  return !isInitialIdMap(currentIdMap('uid'));
}

/** Whether `id` can be used in this namespace (it has a mapping). */
export function isIdMapped(id: number, map: readonly IdRange[] | undefined): boolean {
  return map === undefined || map.some((range) => id >= range.inside && id - range.inside < range.count);
}

/** Whether setgroups(2) is allowed (a user namespace mapped without privilege denies it). */
export function setgroupsAllowed(text = readProcFile('/proc/self/setgroups')): boolean {
  return text === undefined || text.trim() !== 'deny';
}

/**
 * Whether /sys must be bound from the host rather than mounted: a fresh sysfs needs a network namespace the
 * mounting user namespace owns, which a container on the host network in a child user namespace lacks.
 */
export function sysfsNeedsBind(network: 'none' | 'host', childNamespace = inChildUserNamespace()): boolean {
  return network === 'host' && childNamespace;
}

/** The tty group devpts gives its terminals, Docker's; a namespace that cannot map it gets the mounter's group. */
export const TTY_GID = 5;

export function ttyGroupMapped(): boolean {
  return isIdMapped(TTY_GID, currentIdMap('gid'));
}

export function devptsOptions(ttyGroup: boolean): string[] {
  return ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', ...(ttyGroup ? [`gid=${TTY_GID}`] : [])];
}
