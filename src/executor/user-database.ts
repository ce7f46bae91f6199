/**
 * The image's /etc/passwd and /etc/group, read inside the rootfs (symlinks resolved within it), and USER values
 * resolved against them as Docker and BuildKit do for a process: `name` or `uid`, optionally `:group` or `:gid`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UnknownUserError } from './errors.js';
import { resolveInRootfs } from './root-path.js';
import type { RunUser } from './types.js';

export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

export interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

async function readColonFile(root: string | undefined, file: string): Promise<string[][]> {
  if (root === undefined) return [];
  const text = await readFile(path.join(root, await resolveInRootfs(root, file)), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'));
}

const numeric = /^\d+$/;

/** Entries of the rootfs's /etc/passwd with numeric ids (others are skipped); none when `root` is undefined. */
export async function readPasswd(root: string | undefined): Promise<PasswdEntry[]> {
  return (await readColonFile(root, '/etc/passwd'))
    .filter((fields) => fields.length >= 4 && numeric.test(fields[2]) && numeric.test(fields[3]))
    .map((fields) => ({ name: fields[0], uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] ?? '' }));
}

export async function readGroups(root: string | undefined): Promise<GroupEntry[]> {
  return (await readColonFile(root, '/etc/group'))
    .filter((fields) => fields.length >= 3 && numeric.test(fields[2]))
    .map((fields) => ({ name: fields[0], gid: Number(fields[2]), members: (fields[3] ?? '').split(',').filter(Boolean) }));
}

/** The passwd entry named `user`: by name, or by uid when `user` is numeric. */
export function findUser(entries: readonly PasswdEntry[], user: string): PasswdEntry | undefined {
  return entries.find((entry) => entry.name === user) ?? (numeric.test(user) ? entries.find((entry) => entry.uid === Number(user)) : undefined);
}

export function findGroup(entries: readonly GroupEntry[], group: string): GroupEntry | undefined {
  return entries.find((entry) => entry.name === group) ?? (numeric.test(group) ? entries.find((entry) => entry.gid === Number(group)) : undefined);
}

/**
 * Resolves a USER value for a process, as runc's user lookup does for Docker and BuildKit:
 * - a name must exist in /etc/passwd; a uid need not (then its gid is 0);
 * - without a group: the user's primary gid, plus every /etc/group entry listing the user as a member as
 *   additional gids;
 * - with `:group` or `:gid`: that gid and no additional ones; a group name must exist in /etc/group.
 * `root` is the rootfs, undefined for an empty one.
 */
export async function resolveRunUser(spec: string, root: string | undefined): Promise<RunUser> {
  const [userPart, groupPart] = splitUserSpec(spec);
  const passwd = await readPasswd(root);
  const entry = findUser(passwd, userPart);
  if (entry === undefined && !numeric.test(userPart)) throw new UnknownUserError(spec, `user ${userPart}`);
  const uid = entry?.uid ?? Number(userPart);
  const groups = await readGroups(root);
  if (groupPart !== undefined) {
    const group = findGroup(groups, groupPart);
    if (group === undefined && !numeric.test(groupPart)) throw new UnknownUserError(spec, `group ${groupPart}`);
    return { uid, gid: group?.gid ?? Number(groupPart), additionalGids: [] };
  }
  const gid = entry?.gid ?? 0;
  const additionalGids = entry === undefined ? [] : [...new Set(groups.filter((group) => group.members.includes(entry.name)).map((group) => group.gid))];
  return { uid, gid, additionalGids };
}

function splitUserSpec(spec: string): [string, string | undefined] {
  const colon = spec.indexOf(':');
  if (colon < 0) return [spec, undefined];
  const group = spec.slice(colon + 1);
  return [spec.slice(0, colon), group === '' ? undefined : group];
}
