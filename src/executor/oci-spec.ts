/**
 * The OCI runtime-spec config.json of a RUN container, with Docker's defaults: its capability set, RLIMIT_NOFILE,
 * masked and read-only paths, device rules, and /proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, read-only /sys.
 * Only the fields this builder writes are typed.
 */
import { devptsOptions } from './current-user-namespace.js';
import { tmpfsOptions, type CheckedRequest } from './run-request.js';
import type { PlacedUserMount, SystemTargets } from './mount-plan.js';
import type { HostFiles } from './host-files.js';

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options?: string[];
}

export interface OciDeviceRule {
  allow: boolean;
  type?: 'a' | 'b' | 'c';
  major?: number;
  minor?: number;
  access: string;
}

export interface OciSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: { bounding: string[]; effective: string[]; permitted: string[] };
    rlimits: { type: string; hard: number; soft: number }[];
    noNewPrivileges: boolean;
  };
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: OciMount[];
  linux: {
    namespaces: { type: 'pid' | 'ipc' | 'uts' | 'mount' | 'network' }[];
    maskedPaths: string[];
    readonlyPaths: string[];
    resources: { devices: OciDeviceRule[] };
  };
}

export const OCI_VERSION = '1.0.2';

/** Docker's default capabilities (moby oci/caps/defaults.go). */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
] as const;

export const DEFAULT_RLIMITS = [{ type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 }] as const;

export const MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
] as const;

export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'] as const;

/** Deny every device, then allow mknod of any and the devices Docker allows (the runtime adds its defaults). */
const DEVICE_RULES: OciDeviceRule[] = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', access: 'm' },
  { allow: true, type: 'b', access: 'm' },
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' },
  { allow: true, type: 'c', major: 136, access: 'rwm' },
  { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' },
];

export interface SpecInput {
  readonly request: CheckedRequest;
  /** Where the executor's own mounts land (layer-relative, symlinks resolved). */
  readonly system: SystemTargets;
  readonly user: readonly PlacedUserMount[];
  readonly hostFiles: HostFiles;
  /** RLIMIT_NOFILE when the runtime cannot be given Docker's (see nofile-limit.ts); default 1048576. */
  readonly nofileLimit?: number;
  /** Bind the host's /sys (read-only) instead of mounting a sysfs (see sysfsNeedsBind); default false. */
  readonly sysfsFromHost?: boolean;
  /** Whether terminals can belong to the tty group (see ttyGroupMapped); default true. */
  readonly ttyGroup?: boolean;
}

export function buildOciSpec({ request, system, user, hostFiles, nofileLimit, sysfsFromHost = false, ttyGroup = true }: SpecInput): OciSpec {
  const capabilities = [...DEFAULT_CAPABILITIES];
  const namespaces: OciSpec['linux']['namespaces'] = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }];
  if (request.network === 'none') namespaces.push({ type: 'network' });
  return {
    ociVersion: OCI_VERSION,
    process: {
      terminal: false,
      user: { uid: request.user.uid, gid: request.user.gid, ...(request.user.additionalGids.length > 0 ? { additionalGids: [...request.user.additionalGids] } : {}) },
      args: [...request.args],
      env: [...request.env],
      cwd: request.cwd,
      capabilities: { bounding: capabilities, effective: [...capabilities], permitted: [...capabilities] },
      rlimits: DEFAULT_RLIMITS.map((limit) => (nofileLimit === undefined ? { ...limit } : { ...limit, hard: nofileLimit, soft: nofileLimit })),
      noNewPrivileges: false,
    },
    root: { path: request.rootfs, readonly: false },
    hostname: request.hostname,
    mounts: [...systemMounts(system, hostFiles, { sysfsFromHost, ttyGroup }), ...user.map(userMount)],
    linux: {
      namespaces,
      maskedPaths: [...MASKED_PATHS],
      readonlyPaths: [...READONLY_PATHS],
      resources: { devices: DEVICE_RULES.map((rule) => ({ ...rule })) },
    },
  };
}

const absolute = (layerPath: string) => `/${layerPath}`;

function systemMounts(system: SystemTargets, hostFiles: HostFiles, { sysfsFromHost, ttyGroup }: { sysfsFromHost: boolean; ttyGroup: boolean }): OciMount[] {
  const dev = absolute(system.dev);
  return [
    { destination: absolute(system.proc), type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: dev, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: `${dev}/pts`, type: 'devpts', source: 'devpts', options: devptsOptions(ttyGroup) },
    { destination: `${dev}/shm`, type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: `${dev}/mqueue`, type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    sysfsFromHost
      ? { destination: absolute(system.sys), type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] }
      : { destination: absolute(system.sys), type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: absolute(system.hosts), type: 'bind', source: hostFiles.hosts, options: ['rbind', 'ro'] },
    { destination: absolute(system.resolvConf), type: 'bind', source: hostFiles.resolvConf, options: ['rbind', 'ro'] },
  ];
}

function userMount(placed: PlacedUserMount): OciMount {
  // A target inside another mount is resolved by the runtime, in the mounted filesystem.
  const destination = placed.inside === undefined ? absolute(placed.resolved) : placed.mount.target;
  if (placed.mount.type === 'tmpfs') return { destination, type: 'tmpfs', source: 'tmpfs', options: tmpfsOptions(placed.mount) };
  return { destination, type: 'bind', source: placed.mount.source, options: ['rbind', placed.mount.readonly ? 'ro' : 'rw'] };
}
