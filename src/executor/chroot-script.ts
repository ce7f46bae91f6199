/**
 * The sh script the chroot executor runs as pid 1 of fresh mount, pid, ipc, uts (and net) namespaces: it mounts
 * /proc, a tmpfs /dev with the host's null, zero, full, random, urandom and tty bound in, /dev/pts, /dev/shm,
 * /dev/mqueue, a read-only /sys, hosts and resolv.conf, the request's mounts, sets the hostname and brings lo
 * up, then execs: setpriv (gid, groups, Docker's capability bounding set) → env -i (the request's environment
 * only) → unshare --root --wd (chroot, cwd, uid) → the command. Every value is shell-quoted into the text.
 */
import path from 'node:path';
import { devptsOptions, setgroupsAllowed, sysfsNeedsBind, ttyGroupMapped } from './current-user-namespace.js';
import { InvalidRunRequestError } from './errors.js';
import type { HostFiles } from './host-files.js';
import type { MountPlan, PlacedUserMount } from './mount-plan.js';
import { DEFAULT_CAPABILITIES } from './oci-spec.js';
import { tmpfsOptions, type CheckedRequest } from './run-request.js';
import { shellQuote as q } from './shell-quote.js';

export interface ChrootTools {
  readonly setpriv: string;
  readonly env: string;
  readonly unshare: string;
  /** `ip` (iproute2), or busybox with its ip applet; lo stays down without either. */
  readonly ip?: readonly string[];
  /**
   * `hostname`, or busybox with its applet: sethostname(2) is allowed to root of a user namespace, whereas
   * /proc/sys/kernel/hostname, written without either, belongs to the initial namespace's root.
   */
  readonly hostname?: readonly string[];
}

const HOST_DEVICES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'] as const;
const DEV_LINKS: readonly [string, string][] = [
  ['fd', '/proc/self/fd'],
  ['stdin', '/proc/self/fd/0'],
  ['stdout', '/proc/self/fd/1'],
  ['stderr', '/proc/self/fd/2'],
  ['ptmx', 'pts/ptmx'],
];

export function chrootScript(request: CheckedRequest, plan: MountPlan, hostFiles: HostFiles, tools: ChrootTools, nofileLimit: number): string {
  const at = (layerPath: string) => q(path.join(request.rootfs, layerPath));
  const dev = (name: string) => q(path.join(request.rootfs, plan.system.dev, name));
  const lines = [
    'set -e',
    `ulimit -n ${nofileLimit}`,
    `mount -t proc -o nosuid,noexec,nodev proc ${at(plan.system.proc)}`,
    `mount -t tmpfs -o nosuid,strictatime,mode=755,size=65536k tmpfs ${at(plan.system.dev)}`,
    ...HOST_DEVICES.flatMap((name) => [`: > ${dev(name)}`, `mount --bind /dev/${name} ${dev(name)}`]),
    `mkdir ${dev('pts')} ${dev('shm')} ${dev('mqueue')}`,
    `mount -t devpts -o ${devptsOptions(ttyGroupMapped()).join(',')} devpts ${dev('pts')}`,
    `mount -t tmpfs -o nosuid,noexec,nodev,mode=1777,size=65536k shm ${dev('shm')}`,
    `mount -t mqueue -o nosuid,noexec,nodev mqueue ${dev('mqueue')}`,
    ...DEV_LINKS.map(([name, target]) => `ln -s ${q(target)} ${dev(name)}`),
    sysfsNeedsBind(request.network) ? `mount --rbind -o ro,nosuid,nodev,noexec /sys ${at(plan.system.sys)}` : `mount -t sysfs -o ro,nosuid,nodev,noexec sysfs ${at(plan.system.sys)}`,
    `mount --bind -o ro ${q(hostFiles.hosts)} ${at(plan.system.hosts)}`,
    `mount --bind -o ro ${q(hostFiles.resolvConf)} ${at(plan.system.resolvConf)}`,
    ...plan.user.flatMap((placed) => userMountLines(request, plan, placed)),
    tools.hostname !== undefined ? `${[...tools.hostname, request.hostname].map(q).join(' ')}` : `printf %s ${q(request.hostname)} > /proc/sys/kernel/hostname`,
    ...(request.network === 'none' && tools.ip !== undefined ? [`${tools.ip.map(q).join(' ')} link set lo up`] : []),
    `exec ${finalCommand(request, tools).map(q).join(' ')}`,
  ];
  return `${lines.join('\n')}\n`;
}

function userMountLines(request: CheckedRequest, plan: MountPlan, placed: PlacedUserMount): string[] {
  const hostPath = path.join(request.rootfs, hostTarget(plan, placed));
  const target = q(hostPath);
  const { mount } = placed;
  const lines: string[] = [];
  // A target inside an earlier tmpfs or /dev is created there; the rootfs's own targets exist already (stubs).
  if (placed.inside !== undefined) {
    lines.push(placed.targetType === 'directory' ? `mkdir -p ${target}` : `mkdir -p ${q(path.dirname(hostPath))} && { [ -e ${target} ] || : > ${target}; }`);
  }
  if (mount.type === 'tmpfs') lines.push(`mount -t tmpfs -o ${q(tmpfsOptions(mount).join(','))} tmpfs ${target}`);
  else lines.push(`mount --rbind${mount.readonly ? ' -o ro' : ''} ${q(mount.source)} ${target}`);
  return lines;
}

/**
 * Where a nested target lies on the host: inside the mount that holds it, which must be a fresh filesystem
 * (tmpfs, /dev): below a bind mount the host's symlinks would be followed, so the chroot executor refuses it.
 */
function hostTarget(plan: MountPlan, placed: PlacedUserMount): string {
  if (placed.inside === undefined) return placed.resolved;
  const refuse = (detail: string): never => {
    throw new InvalidRunRequestError(`the chroot executor cannot mount ${placed.mount.target}: ${detail}; use crun or runc`);
  };
  const normalized = path.posix.normalize(placed.mount.target);
  if (placed.inside === 'proc' || placed.inside === 'sys') return refuse(`it lies inside /${placed.inside}`);
  if (placed.inside === 'dev') {
    if (!normalized.startsWith('/dev/')) return refuse('it reaches /dev through a symlink');
    return path.posix.join(plan.system.dev, normalized.slice('/dev/'.length));
  }
  const holder = plan.user[placed.inside];
  const holderTarget = path.posix.normalize(holder.mount.target);
  if (holder.mount.type === 'bind') return refuse(`it lies inside the bind mount ${holderTarget}`);
  if (!normalized.startsWith(`${holderTarget}/`)) return refuse(`it reaches ${holderTarget} through a symlink`);
  return path.posix.join(hostTarget(plan, holder), normalized.slice(holderTarget.length + 1));
}

function finalCommand(request: CheckedRequest, tools: ChrootTools): string[] {
  const { uid, gid, additionalGids } = request.user;
  const bounding = ['-all', ...DEFAULT_CAPABILITIES.map((cap) => `+${cap.slice('CAP_'.length).toLowerCase()}`)].join(',');
  return [
    tools.setpriv,
    `--regid=${gid}`,
    // Where setgroups(2) is denied (a single-id user namespace) the groups stay as they are: none but root's.
    ...(additionalGids.length > 0 ? [`--groups=${additionalGids.join(',')}`] : [setgroupsAllowed() ? '--clear-groups' : '--keep-groups']),
    `--bounding-set=${bounding}`,
    '--',
    tools.env,
    '-i',
    '--',
    ...request.env,
    tools.unshare,
    `--root=${request.rootfs}`,
    `--wd=${request.cwd}`,
    ...(uid !== 0 ? [`--setuid=${uid}`] : []),
    '--',
    ...request.args,
  ];
}
