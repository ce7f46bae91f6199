import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';

/**
 * Who owns a temp file, a lease or the lock: this host and process. Names carry `<host-tag>-<pid>-<random>`;
 * lock and lease files also hold it as JSON.
 */

/** 8 hex digits naming this host (a hash of its hostname). */
export const hostTag = createHash('sha256').update(os.hostname()).digest('hex').slice(0, 8);

/** A fresh owner-stamped name: `<host-tag>-<pid>-<random><suffix>`. */
export function ownedName(suffix = ''): string {
  return `${hostTag}-${process.pid}-${randomBytes(6).toString('hex')}${suffix}`;
}

export interface Owner {
  host: string;
  pid: number;
}

/** The owner a name was stamped with, or undefined for a name that is not owner-stamped. */
export function ownerOfName(name: string): Owner | undefined {
  const match = /^([0-9a-f]{8})-(\d+)-[0-9a-f]+/.exec(name);
  return match ? { host: match[1], pid: Number(match[2]) } : undefined;
}

/** Whether a process with this id runs on this machine (EPERM: it runs, as another user). */
export function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether an owner is known to be gone: on this host, and its process no longer runs. */
export function ownerGone(owner: Owner | undefined): boolean {
  return owner !== undefined && owner.host === hostTag && !pidAlive(owner.pid);
}

/**
 * Whether something owned is abandoned: its owner is gone, or it has not been touched for `staleMs` (owners that
 * hold things for long refresh their mtime; another host's processes can only be judged by that).
 */
export function abandoned(owner: Owner | undefined, mtimeMs: number, staleMs: number, now = Date.now()): boolean {
  return ownerGone(owner) || now - mtimeMs > staleMs;
}
