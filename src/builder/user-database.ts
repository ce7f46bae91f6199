import { StepErrorCode, StepProblem } from './step-errors.js';

/** `--chown` and USER values: numbers are taken as they are, names are looked up in the image's files. */
export interface Owner {
  uid: number;
  gid: number;
}

const numeric = /^\d+$/;

/**
 * Resolves `user[:group]` as BuildKit's `--chown` does: a numeric user without a group gets the same number as
 * group; a named user without a group gets the user's primary group from /etc/passwd. `root` is the stage's
 * filesystem, undefined for an empty one; its /etc/passwd and /etc/group are read as RUN's USER lookup reads them
 * (symlinks resolved inside the rootfs). Only a step that makes files asks, so the executor's code is loaded then.
 */
export async function resolveOwner(spec: string, root: string | undefined): Promise<Owner> {
  const [userPart, groupPart] = spec.split(':', 2);
  const { readPasswd, readGroups } = await import('../executor/index.js');
  let uid: number;
  let primaryGid: number | undefined;
  if (numeric.test(userPart)) {
    uid = Number(userPart);
  } else {
    const entry = (await readPasswd(root)).find((user) => user.name === userPart);
    if (!entry) throw new StepProblem(StepErrorCode.UnknownUser, `unable to find user ${userPart}: no matching entries in passwd file`);
    uid = entry.uid;
    primaryGid = entry.gid;
  }
  if (groupPart === undefined || groupPart === '') return { uid, gid: primaryGid ?? uid };
  if (numeric.test(groupPart)) return { uid, gid: Number(groupPart) };
  const group = (await readGroups(root)).find((entry) => entry.name === groupPart);
  if (!group) throw new StepProblem(StepErrorCode.UnknownUser, `unable to find group ${groupPart}: no matching entries in group file`);
  return { uid, gid: group.gid };
}
