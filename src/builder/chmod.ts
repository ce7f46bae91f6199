import { StepErrorCode, StepProblem } from './step-errors.js';

/** `--chmod`: an octal mode (`755`, `0644`) or a symbolic one (`u+x,go-w`, `a=rX`), as BuildKit accepts them. */
export type ModeChange = (mode: number, isDirectory: boolean) => number;

const octal = /^[0-7]{1,4}$/;
const clause = /^([ugoa]*)([-+=])([rwxXst]*)$/;

export function parseChmod(spec: string): ModeChange {
  if (octal.test(spec)) {
    const mode = Number.parseInt(spec, 8);
    return () => mode;
  }
  const clauses = spec.split(',').map((part) => {
    const match = clause.exec(part);
    if (!match) throw new StepProblem(StepErrorCode.InvalidChmod, `invalid chmod parameter ${JSON.stringify(spec)}`, 'Use an octal mode such as 755 or a symbolic one such as u+x,go-w');
    return { who: match[1] || 'a', op: match[2], perms: match[3] };
  });
  return (mode, isDirectory) => {
    let result = mode & 0o7777;
    for (const { who, op, perms } of clauses) {
      let mask = 0;
      const executable = isDirectory || (mode & 0o111) !== 0;
      for (const scope of who === 'a' ? 'ugo' : who) {
        const shift = scope === 'u' ? 6 : scope === 'g' ? 3 : 0;
        for (const perm of perms) {
          if (perm === 'r') mask |= 4 << shift;
          else if (perm === 'w') mask |= 2 << shift;
          else if (perm === 'x' || (perm === 'X' && executable)) mask |= 1 << shift;
          else if (perm === 's' && scope !== 'o') mask |= scope === 'u' ? 0o4000 : 0o2000;
          else if (perm === 't') mask |= 0o1000;
        }
      }
      if (op === '+') result |= mask;
      else if (op === '-') result &= ~mask;
      else {
        let cleared = 0;
        for (const scope of who === 'a' ? 'ugo' : who) cleared |= scope === 'u' ? 0o4700 : scope === 'g' ? 0o2070 : 0o1007;
        result = (result & ~cleared) | mask;
      }
    }
    return result;
  };
}
