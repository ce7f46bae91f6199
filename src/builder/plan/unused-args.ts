import { isProxyArg } from './build-args.js';
import { automaticArgNames } from './global-args.js';
import type { StagePlan } from './types.js';

/**
 * Build arguments nobody consumes, as Docker reports them: given with `--build-arg` but declared by no ARG of the
 * global scope or of a stage the build runs. Proxy arguments (usable without ARG) and the automatic platform
 * arguments (which a build argument overrides) never count as unused.
 */
export function findUnusedBuildArgs(
  buildArgs: ReadonlyMap<string, string>,
  globalDeclared: ReadonlySet<string>,
  stages: readonly StagePlan[],
  needed: readonly number[],
): string[] {
  const declared = new Set(globalDeclared);
  for (const index of needed) {
    if (stages[index].replacedBy !== undefined) continue;
    for (const step of stages[index].steps) {
      if (step.instruction.kind === 'ARG') for (const arg of step.instruction.args) declared.add(arg.name);
    }
  }
  return [...buildArgs.keys()].filter((name) => !declared.has(name) && !isProxyArg(name) && !automaticArgNames.includes(name)).sort();
}

/** Docker's wording: `[Warning] One or more build-args [A B] were not consumed`. */
export function unusedBuildArgsMessage(names: readonly string[]): string {
  return `[Warning] One or more build-args [${names.join(' ')}] were not consumed`;
}
