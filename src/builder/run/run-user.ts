import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { StepErrorCode, StepProblem } from '../step-errors.js';

/** The identity a RUN process gets. */
export interface RunUser {
  uid: number;
  gid: number;
  /** Supplementary groups: those of /etc/group that list the user, or the one group named in `user:group`. */
  additionalGids: number[];
}

const numeric = /^\d+$/;

async function colonFile(root: string | undefined, file: string): Promise<string[][]> {
  if (root === undefined) return [];
  try {
    const text = await readFile(path.join(root, file), 'utf8');
    return text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#')).map((line) => line.split(':'));
  } catch {
    return [];
  }
}

/**
 * USER as BuildKit's executor resolves it: `uid:gid` in numbers is taken as is; otherwise the user (name or number)
 * is looked up in the image's /etc/passwd (a number with no entry is used as it is, with gid 0), the group (name or
 * number) in /etc/group. An unknown name is an error. `root` is the step's filesystem (undefined: empty).
 */
export async function resolveRunUser(spec: string | undefined, root: string | undefined): Promise<RunUser> {
  if (spec === undefined || spec === '') return { uid: 0, gid: 0, additionalGids: [] };
  const [userPart, groupPart] = spec.split(':', 2) as [string, string | undefined];
  if (groupPart !== undefined && numeric.test(userPart) && numeric.test(groupPart)) {
    return { uid: Number(userPart), gid: Number(groupPart), additionalGids: [] };
  }
  const passwd = await colonFile(root, 'etc/passwd');
  const entry = passwd.find((fields) => (numeric.test(userPart) ? fields[2] === userPart : fields[0] === userPart));
  if (!entry && !numeric.test(userPart)) {
    throw new StepProblem(StepErrorCode.UnknownUser, `unable to find user ${userPart}: no matching entries in passwd file`);
  }
  const uid = entry ? Number(entry[2]) : Number(userPart);
  let gid = entry ? Number(entry[3]) : 0;
  const groups = await colonFile(root, 'etc/group');
  if (groupPart !== undefined && groupPart !== '') {
    const group = groups.find((fields) => (numeric.test(groupPart) ? fields[2] === groupPart : fields[0] === groupPart));
    if (!group && !numeric.test(groupPart)) {
      throw new StepProblem(StepErrorCode.UnknownUser, `unable to find group ${groupPart}: no matching entries in group file`);
    }
    gid = group ? Number(group[2]) : Number(groupPart);
    return { uid, gid, additionalGids: [gid] };
  }
  const name = entry?.[0];
  const additionalGids = name === undefined ? [] : groups.filter((fields) => (fields[3] ?? '').split(',').includes(name)).map((fields) => Number(fields[2]));
  return { uid, gid, additionalGids: [...new Set(additionalGids)] };
}
