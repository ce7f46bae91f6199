import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { StepErrorCode, StepProblem } from './step-errors.js';

/** `--chown` and USER values: numbers are taken as they are, names are looked up in the image's files. */
export interface Owner {
  uid: number;
  gid: number;
}

function readColonFile(root: string | undefined, file: string): Promise<string[][]> {
  if (root === undefined) return Promise.resolve([]);
  return readFile(path.join(root, file), 'utf8').then(
    (text) => text.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => line.split(':')),
    () => [],
  );
}

const numeric = /^\d+$/;

/**
 * Resolves `user[:group]` as BuildKit's `--chown` does: a numeric user without a group gets the same number as
 * group; a named user without a group gets the user's primary group from /etc/passwd. `root` is the stage's
 * filesystem, undefined for an empty one.
 */
export async function resolveOwner(spec: string, root: string | undefined): Promise<Owner> {
  const [userPart, groupPart] = spec.split(':', 2);
  let uid: number;
  let primaryGid: number | undefined;
  if (numeric.test(userPart)) {
    uid = Number(userPart);
  } else {
    const entry = (await readColonFile(root, 'etc/passwd')).find((fields) => fields[0] === userPart);
    if (!entry) throw new StepProblem(StepErrorCode.UnknownUser, `unable to find user ${userPart}: no matching entries in passwd file`);
    uid = Number(entry[2]);
    primaryGid = Number(entry[3]);
  }
  if (groupPart === undefined || groupPart === '') return { uid, gid: primaryGid ?? uid };
  if (numeric.test(groupPart)) return { uid, gid: Number(groupPart) };
  const group = (await readColonFile(root, 'etc/group')).find((fields) => fields[0] === groupPart);
  if (!group) throw new StepProblem(StepErrorCode.UnknownUser, `unable to find group ${groupPart}: no matching entries in group file`);
  return { uid, gid: Number(group[2]) };
}
