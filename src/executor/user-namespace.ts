/**
 * Running a command as root of a new user namespace (with its own mount namespace), the way `buildah unshare`
 * and rootless BuildKit run a build without privilege: inside, the calling user is uid 0 and its subordinate ids
 * (/etc/subuid, /etc/subgid) are uids 1 and up, so layers unpack with their owners, overlays mount (kernel 5.11+)
 * and crun, runc or the chroot executor start containers as they do for real root.
 *
 * util-linux `unshare --user --mount` makes the namespaces and execs a shell that says it is ready on fd 3 and
 * waits; this process then writes the id maps: with the setuid newuidmap/newgidmap (package uidmap) when the user
 * has subordinate ids, else itself, mapping only the user's own uid and gid to 0 (files of other owners then
 * cannot be represented, and USER can only be root). Once told to go on, the shell execs the command.
 */
import { execFile, spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import type { Readable } from 'node:stream';
import type { IdRange } from './current-user-namespace.js';
import { UserNamespaceError } from './errors.js';
import { findOnPath } from './host-tools.js';
import { readSubordinateIds, type SubordinateRange } from './subordinate-ids.js';

export type UserNamespaceStdio = 'inherit' | 'ignore' | number;

export interface SpawnInUserNamespaceOptions {
  /** The command's environment (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** The command's stdin, stdout and stderr (default: this process's own). */
  readonly stdio?: readonly [UserNamespaceStdio, UserNamespaceStdio, UserNamespaceStdio];
  /**
   * Start the command in a session of its own, so a terminal's Ctrl-C reaches only this process, which then
   * decides what to forward with kill() (default false: the command gets the terminal's signals itself).
   */
  readonly ownSession?: boolean;
  /** Map only the calling user's uid and gid, even where it has subordinate ids. */
  readonly singleId?: boolean;
  /** Default /etc/subuid and /etc/subgid. */
  readonly subuidFile?: string;
  readonly subgidFile?: string;
}

export interface UserNamespaceMapping {
  /** The namespace's uid_map and gid_map: uid 0 is the caller, the subordinate ids follow from 1. */
  readonly uids: readonly IdRange[];
  readonly gids: readonly IdRange[];
  /** Why only the caller's own ids are mapped; undefined when its subordinate ids are mapped too. */
  readonly singleIdReason?: string;
}

export interface UserNamespaceChild {
  /** The command's pid (from the start: the namespace's first process execs it). */
  readonly pid: number | undefined;
  /** Resolves when the ids are mapped and the command starts; rejects with UserNamespaceError when no namespace could be made. */
  readonly mapped: Promise<UserNamespaceMapping>;
  /** How the command ended (also how unshare ended when no namespace could be made). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal to the command. */
  kill(signal?: NodeJS.Signals): void;
}

/** fd 2 is unshare's (captured, for its error message) until the shell restores the real stderr from fd 4. */
const HANDSHAKE = 'exec 2>&4 4>&-; printf . >&3 && read -r _ <&3 && exec 3<&- && exec "$@"';

/** Runs `command` as root of a new user and mount namespace; see the module comment. */
export function spawnInUserNamespace(command: readonly string[], options: SpawnInUserNamespaceOptions = {}): UserNamespaceChild {
  const unshare = findOnPath('unshare');
  if (unshare === undefined || command.length === 0) {
    const error = new UserNamespaceError(command.length === 0 ? 'no command given' : 'util-linux unshare is not on PATH (Debian: util-linux)');
    return { pid: undefined, mapped: Promise.reject(error), exited: Promise.resolve({ code: 1, signal: null }), kill: () => undefined };
  }
  const [stdin, stdout, stderr] = options.stdio ?? ['inherit', 'inherit', 'inherit'];
  const stdio: StdioOptions = [stdin, stdout, 'pipe', 'pipe', stderr === 'inherit' ? 2 : stderr];
  const child = spawn(unshare, ['--user', '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', HANDSHAKE, 'sh', ...command], {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio,
    detached: options.ownSession ?? false,
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', () => resolve({ code: 1, signal: null }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const mapped = handshake(child, options);
  mapped.catch(() => undefined);
  return {
    pid: child.pid,
    mapped,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

function handshake(child: ChildProcess, options: SpawnInUserNamespaceOptions): Promise<UserNamespaceMapping> {
  const control = child.stdio[3] as Readable & { end(data: string): void; destroy(): void };
  const unshareErrors = child.stdio[2] as Readable;
  let errorText = '';
  unshareErrors.setEncoding('utf8').on('data', (text: string) => (errorText += text));
  return new Promise((resolve, reject) => {
    let ready = false;
    child.once('error', (error) => reject(new UserNamespaceError(`unshare: ${error.message}`, { cause: error })));
    child.once('close', (code, signal) => {
      if (!ready) reject(new UserNamespaceError(errorText.trim() || `unshare ended (${signal ?? `exit code ${code}`}) before the namespace was ready`));
    });
    control.once('data', () => {
      ready = true;
      mapIds(child.pid!, options).then(
        (mapping) => {
          control.end('\n');
          resolve(mapping);
        },
        (error: Error) => {
          control.destroy();
          child.kill('SIGKILL');
          reject(new UserNamespaceError(`cannot map ids: ${error.message}`, { cause: error }));
        },
      );
    });
  });
}

async function mapIds(pid: number, options: SpawnInUserNamespaceOptions): Promise<UserNamespaceMapping> {
  const uid = process.geteuid!();
  const gid = process.getegid!();
  const name = userName();
  const uids = await mapKind('uid', pid, uid, options.singleId ? [] : readSubordinateIds(options.subuidFile ?? '/etc/subuid', name, uid), name);
  const gids = await mapKind('gid', pid, gid, options.singleId ? [] : readSubordinateIds(options.subgidFile ?? '/etc/subgid', name, uid), name);
  const reason = options.singleId ? 'a single-id mapping was asked for' : (uids.singleIdReason ?? gids.singleIdReason);
  return { uids: uids.map, gids: gids.map, ...(reason !== undefined ? { singleIdReason: reason } : {}) };
}

function userName(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    return undefined;
  }
}

async function mapKind(
  kind: 'uid' | 'gid',
  pid: number,
  ownId: number,
  ranges: readonly SubordinateRange[],
  name: string | undefined,
): Promise<{ map: IdRange[]; singleIdReason?: string }> {
  const tool = `new${kind}map`;
  let reason: string;
  if (ranges.length === 0) reason = `${name ?? `uid ${process.geteuid!()}`} has no subordinate ${kind}s in /etc/sub${kind}`;
  else {
    const map: IdRange[] = [{ inside: 0, outside: ownId, count: 1 }];
    for (const range of ranges) map.push({ inside: map[map.length - 1].inside + map[map.length - 1].count, outside: range.start, count: range.count });
    const failure = await runIdMapTool(tool, pid, map);
    if (failure === undefined) return { map };
    reason = failure;
  }
  // Without privilege a process may map its own id only, and its gid only once setgroups(2) is denied.
  if (kind === 'gid') await writeFile(`/proc/${pid}/setgroups`, 'deny');
  await writeFile(`/proc/${pid}/${kind}_map`, `0 ${ownId} 1\n`);
  return { map: [{ inside: 0, outside: ownId, count: 1 }], singleIdReason: reason };
}

/** Runs newuidmap or newgidmap; undefined when it worked, else why not. */
async function runIdMapTool(tool: string, pid: number, map: readonly IdRange[]): Promise<string | undefined> {
  const found = findOnPath(tool);
  if (found === undefined) return `${tool} is not installed (Debian: apt-get install uidmap)`;
  const args = [String(pid), ...map.flatMap((range) => [range.inside, range.outside, range.count].map(String))];
  return new Promise((resolve) => {
    execFile(found, args, (error, _stdout, stderr) => resolve(error === null ? undefined : `${tool} failed: ${String(stderr).trim() || error.message}`));
  });
}
