/**
 * Where each mount of a run lands in the rootfs: the executor's own (/proc, /dev, /sys, /etc/hosts,
 * /etc/resolv.conf) and the request's, with symlinks resolved inside the rootfs and missing targets created as
 * stubs. A target below another mount (e.g. a tmpfs inside /dev or inside a bind mount) is not created in the
 * rootfs: it lives in the mounted filesystem.
 */
import { stat } from 'node:fs/promises';
import { InvalidRunRequestError } from './errors.js';
import { MountStubRecorder, type MountStubs, type StubType } from './mount-stubs.js';
import { isWithin, resolveInRootfs } from './root-path.js';
import type { RunMount } from './types.js';

export interface SystemTargets {
  /** Layer-relative, symlinks resolved. */
  readonly proc: string;
  readonly dev: string;
  readonly sys: string;
  readonly hosts: string;
  readonly resolvConf: string;
}

export interface PlacedUserMount {
  readonly mount: RunMount;
  /**
   * Layer-relative target with the rootfs's symlinks resolved. For a target inside an earlier mount this is only
   * where the rootfs alone would put it; the mounted filesystem decides.
   */
  readonly resolved: string;
  /** A directory, or a file for a bind mount of a file. */
  readonly targetType: StubType;
  /** The earlier mount it lies in: a system one, or the index of a request mount. */
  readonly inside?: 'proc' | 'dev' | 'sys' | number;
}

export interface MountPlan {
  readonly system: SystemTargets;
  readonly user: readonly PlacedUserMount[];
  readonly stubs: MountStubs;
}

export const SYSTEM_MOUNT_TARGETS = { proc: '/proc', dev: '/dev', sys: '/sys', hosts: '/etc/hosts', resolvConf: '/etc/resolv.conf' } as const;

export async function planMounts(root: string, mounts: readonly RunMount[]): Promise<MountPlan> {
  const recorder = new MountStubRecorder(root);
  const resolve = async (target: string, type: StubType): Promise<string> => {
    const resolved = await resolveInRootfs(root, target);
    if (resolved === '') throw new InvalidRunRequestError(`cannot mount over the container's root (${target})`);
    await recorder.ensure(resolved, type);
    return resolved;
  };
  const system: SystemTargets = {
    proc: await resolve(SYSTEM_MOUNT_TARGETS.proc, 'directory'),
    dev: await resolve(SYSTEM_MOUNT_TARGETS.dev, 'directory'),
    sys: await resolve(SYSTEM_MOUNT_TARGETS.sys, 'directory'),
    hosts: await resolve(SYSTEM_MOUNT_TARGETS.hosts, 'file'),
    resolvConf: await resolve(SYSTEM_MOUNT_TARGETS.resolvConf, 'file'),
  };
  const user: PlacedUserMount[] = [];
  for (const mount of mounts) {
    const resolved = await resolveInRootfs(root, mount.target);
    const type = await targetType(mount);
    const inside = containingMount(resolved, system, user);
    if (inside !== undefined) user.push({ mount, resolved, targetType: type, inside });
    else user.push({ mount, resolved: await resolve(mount.target, type), targetType: type });
  }
  return { system, user, stubs: recorder.stubs() };
}

function containingMount(resolved: string, system: SystemTargets, earlier: readonly PlacedUserMount[]): PlacedUserMount['inside'] {
  for (let index = earlier.length - 1; index >= 0; index--) {
    const placed = earlier[index];
    if (resolved !== placed.resolved && isWithin(resolved, placed.resolved)) return index;
  }
  for (const name of ['proc', 'dev', 'sys'] as const) if (isWithin(resolved, system[name])) return name;
  return undefined;
}

async function targetType(mount: RunMount): Promise<StubType> {
  if (mount.type === 'tmpfs') return 'directory';
  const source = await stat(mount.source).catch((error: unknown) => {
    throw new InvalidRunRequestError(`bind mount source ${mount.source} is not readable: ${(error as Error).message}`);
  });
  return source.isDirectory() ? 'directory' : 'file';
}

/**
 * The layer-relative paths a run may create as empty mount targets (the executor's own and the request's, with
 * their parents), for a differ that wants to drop them when they are still empty. Symlinks are not resolved.
 */
export function possibleMountStubPaths(mounts: readonly RunMount[] = []): string[] {
  const paths = new Set<string>();
  for (const target of [...Object.values(SYSTEM_MOUNT_TARGETS), ...mounts.map((mount) => mount.target)]) {
    const parts = target.split('/').filter((part) => part !== '' && part !== '.');
    for (let depth = 1; depth <= parts.length; depth++) paths.add(parts.slice(0, depth).join('/'));
  }
  return [...paths].sort();
}
