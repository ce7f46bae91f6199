/**
 * Docker's RLIMIT_NOFILE (1048576) for the container. A runtime cannot give its container a hard limit above its
 * own, and this process may run with a lower one, so the runtime is started through util-linux `prlimit` with
 * the limit raised, which needs CAP_SYS_RESOURCE; without it (or without prlimit) the container gets the
 * current hard limit instead.
 */
import { readProcFile } from '../files/index.js';
import { inChildUserNamespace } from './current-user-namespace.js';
import { findOnPath } from './host-tools.js';

export const DOCKER_NOFILE = 1048576;

/** This process's hard RLIMIT_NOFILE, from /proc/self/limits (Infinity for "unlimited"). */
export function currentNofileHardLimit(limits = readLimits()): number {
  const line = limits.split('\n').find((entry) => entry.startsWith('Max open files'));
  const hard = line?.split(/\s+/)[4];
  if (hard === undefined) return DOCKER_NOFILE;
  return hard === 'unlimited' ? Infinity : Number(hard);
}

function readLimits(): string {
  return readProcFile('/proc/self/limits') ?? '';
}


const CAP_SYS_RESOURCE = 24n;

/**
 * Whether this process may raise hard limits: CAP_SYS_RESOURCE in its effective set, in the initial user
 * namespace (the capability held in a child namespace does not lift the hard limit).
 */
export function canRaiseLimits(status = readProcFile('/proc/self/status') ?? '', initialNamespace = !inChildUserNamespace()): boolean {
  if (!initialNamespace) return false;
  const effective = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  return effective !== undefined && ((BigInt(`0x${effective}`) >> CAP_SYS_RESOURCE) & 1n) === 1n;
}

export interface NofilePlan {
  /** The limit the spec asks for. */
  readonly limit: number;
  /** Command words to put before the runtime's, raising this process's limit for it; empty when not needed. */
  readonly prefix: readonly string[];
}

export function planNofileLimit(hardLimit = currentNofileHardLimit(), mayRaise = canRaiseLimits(), prlimit = findOnPath('prlimit')): NofilePlan {
  if (hardLimit >= DOCKER_NOFILE) return { limit: DOCKER_NOFILE, prefix: [] };
  if (mayRaise && prlimit !== undefined) return { limit: DOCKER_NOFILE, prefix: [prlimit, `--nofile=${DOCKER_NOFILE}:${DOCKER_NOFILE}`, '--'] };
  return { limit: hardLimit, prefix: [] };
}
