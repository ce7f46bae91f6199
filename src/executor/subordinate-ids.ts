/**
 * A user's subordinate id ranges from /etc/subuid and /etc/subgid (`name-or-uid:start:count` a line), the ids
 * newuidmap and newgidmap let it map into a user namespace besides its own.
 */
import { readFileSync } from 'node:fs';

export interface SubordinateRange {
  readonly start: number;
  readonly count: number;
}

/** The ranges of the user named `name` or numbered `id`, in file order. */
export function parseSubordinateIds(text: string, name: string | undefined, id: number): SubordinateRange[] {
  const ranges: SubordinateRange[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(':');
    if (fields.length !== 3 || (fields[0] !== name && fields[0] !== String(id))) continue;
    const [start, count] = [Number(fields[1]), Number(fields[2])];
    if (Number.isSafeInteger(start) && Number.isSafeInteger(count) && start >= 0 && count > 0) ranges.push({ start, count });
  }
  return ranges;
}

/** The ranges listed in `file` (a missing or unreadable file lists none). */
export function readSubordinateIds(file: string, name: string | undefined, id: number): SubordinateRange[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return parseSubordinateIds(text, name, id);
}
