/**
 * A RunRequest checked and with its defaults filled in, so executors need not guard each field.
 */
import path from 'node:path';
import { currentIdMap, isIdMapped } from './current-user-namespace.js';
import { InvalidRunRequestError } from './errors.js';
import { DEFAULT_HOSTNAME, type NetworkMode, type RunMount, type RunRequest, type RunUser } from './types.js';

export interface CheckedRequest {
  readonly rootfs: string;
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
  readonly user: Required<RunUser>;
  readonly mounts: readonly RunMount[];
  readonly network: NetworkMode;
  readonly hostname: string;
}

const isId = (value: number) => Number.isInteger(value) && value >= 0 && value < 2 ** 32 - 1;

export function checkRequest(request: RunRequest): CheckedRequest {
  const fail = (detail: string): never => {
    throw new InvalidRunRequestError(detail);
  };
  if (!path.isAbsolute(request.rootfs)) fail(`rootfs must be an absolute path, got '${request.rootfs}'`);
  if (request.args.length === 0) fail('args is empty');
  for (const entry of request.env) if (entry.indexOf('=') <= 0) fail(`env entry '${entry}' is not KEY=value`);
  for (const arg of [...request.args, ...request.env]) if (arg.includes('\0')) fail('args and env cannot contain NUL bytes');
  const cwd = request.cwd ?? '/';
  if (!cwd.startsWith('/')) fail(`cwd must be absolute, got '${cwd}'`);
  const user = { uid: request.user?.uid ?? 0, gid: request.user?.gid ?? 0, additionalGids: request.user?.additionalGids ?? [] };
  if (![user.uid, user.gid, ...user.additionalGids].every(isId)) fail(`user ids must be integers from 0 to 2^32-2: ${JSON.stringify(user)}`);
  const hostname = request.hostname ?? DEFAULT_HOSTNAME;
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$/.test(hostname)) fail(`hostname '${hostname}' is not a valid host name`);
  const network = request.network ?? 'none';
  if (network !== 'none' && network !== 'host') fail(`network must be 'none' or 'host', got '${String(network)}'`);
  const mounts = request.mounts ?? [];
  for (const mount of mounts) {
    if (!mount.target.startsWith('/')) fail(`mount target must be absolute, got '${mount.target}'`);
    if (mount.type === 'bind' && !path.isAbsolute(mount.source)) fail(`bind mount source must be absolute, got '${mount.source}'`);
    if (mount.type === 'tmpfs') {
      if (mount.size !== undefined && !(Number.isInteger(mount.size) && mount.size > 0)) fail(`tmpfs size must be a positive integer, got ${mount.size}`);
      if (mount.mode !== undefined && !(Number.isInteger(mount.mode) && mount.mode >= 0 && mount.mode <= 0o7777)) fail(`tmpfs mode must be within 0o7777, got ${mount.mode}`);
    }
  }
  checkIdsMapped(user);
  return { rootfs: request.rootfs, args: request.args, env: request.env, cwd, user, mounts, network, hostname };
}

/** Refuses ids this process's user namespace cannot switch to (rootless with no subordinate ids), before any run. */
function checkIdsMapped(user: Required<RunUser>, uids = currentIdMap('uid'), gids = currentIdMap('gid')): void {
  const unmapped = [
    ...(isIdMapped(user.uid, uids) ? [] : [`uid ${user.uid}`]),
    ...[user.gid, ...user.additionalGids].filter((gid) => !isIdMapped(gid, gids)).map((gid) => `gid ${gid}`),
  ];
  if (unmapped.length === 0) return;
  const ranges = uids ?? [];
  const mapped = ranges.map((range) => (range.count === 1 ? `${range.inside}` : `${range.inside}-${range.inside + range.count - 1}`)).join(', ');
  throw new InvalidRunRequestError(
    `${unmapped.join(' and ')} cannot be used in this user namespace, which maps only ${ranges.length === 1 && ranges[0].count === 1 ? 'uid' : 'uids'} ${mapped} ` +
      '(a rootless build without subordinate ids: add ranges for the user to /etc/subuid and /etc/subgid)',
  );
}

/** Mount options of a request's tmpfs, as mount(8) and the runtime spec both write them. */
export function tmpfsOptions(mount: { size?: number; mode?: number }): string[] {
  return [
    'nosuid',
    'nodev',
    ...(mount.size !== undefined ? [`size=${mount.size}`] : []),
    ...(mount.mode !== undefined ? [`mode=${mount.mode.toString(8).padStart(4, '0')}`] : []),
  ];
}
