import { BuildErrorCode, StageResolutionError } from '../errors.js';
import type { PlannedStep, StagePlan } from './types.js';

function stepStageSources(step: PlannedStep): Array<{ stage: number; text: string; via: 'copy-from' | 'mount-from' }> {
  const out: Array<{ stage: number; text: string; via: 'copy-from' | 'mount-from' }> = [];
  for (const source of step.sources) {
    if (source.source.kind === 'stage') out.push({ stage: source.source.stage, text: source.text, via: source.via });
  }
  return out;
}

/**
 * BuildKit's `validateCircularDependency`: a depth-first walk over the `COPY --from` / mount edges of every stage
 * (used or not); a stage reached again on the current path is a cycle. FROM edges always point backwards.
 */
export function checkCircularDependencies(stages: readonly StagePlan[], file: string): void {
  const visited = new Set<number>();
  const onPath = new Set<number>();
  const visit = (index: number, path: PlannedStep[]): PlannedStep[] | undefined => {
    if (visited.has(index)) return undefined;
    visited.add(index);
    onPath.add(index);
    for (const step of stages[index].steps) {
      for (const dependency of stepStageSources(step)) {
        const next = [...path, step];
        if (onPath.has(dependency.stage)) return next;
        const cycle = visit(dependency.stage, next);
        if (cycle !== undefined) return cycle;
      }
    }
    onPath.delete(index);
    return undefined;
  };
  for (const stage of stages) {
    const cycle = visit(stage.index, []);
    if (cycle !== undefined) {
      throw new StageResolutionError(BuildErrorCode.CircularDependency, `circular dependency detected on stage: ${stage.id}`, {
        location: { file, range: cycle[0].location },
        hint: 'A stage cannot copy or mount from itself or from a stage that depends on it; move the shared files into a separate earlier stage',
      });
    }
  }
}

/** Stages the target needs (itself included), ascending. */
export function neededStages(stages: readonly StagePlan[], target: number): number[] {
  const needed = new Set<number>();
  const pending = [target];
  while (pending.length > 0) {
    const index = pending.pop() as number;
    if (needed.has(index)) continue;
    needed.add(index);
    pending.push(...stages[index].dependsOn);
  }
  return [...needed].sort((a, b) => a - b);
}

/**
 * BuildKit dispatches stages in file order and refuses a `COPY --from` or mount of a stage that is not built yet:
 * every stage a needed stage reads must come earlier in the file.
 */
export function checkDefinitionOrder(stages: readonly StagePlan[], needed: readonly number[], file: string): void {
  for (const index of needed) {
    const stage = stages[index];
    if (stage.replacedBy !== undefined) continue;
    for (const step of stage.steps) {
      for (const dependency of stepStageSources(step)) {
        if (dependency.stage < index) continue;
        const verb = dependency.via === 'copy-from' ? 'copy' : 'mount';
        throw new StageResolutionError(
          BuildErrorCode.StageUsedBeforeDefinition,
          `cannot ${verb} from stage ${JSON.stringify(dependency.text)}, it needs to be defined before current stage ${JSON.stringify(stage.id)}`,
          { location: { file, range: step.location }, hint: `Move stage "${stages[dependency.stage].id}" above stage "${stage.id}" in the Dockerfile` },
        );
      }
    }
  }
}

/** Needed stages grouped by depth: each group depends only on earlier groups, so its stages can run concurrently. */
export function concurrencyLevels(stages: readonly StagePlan[], needed: readonly number[]): number[][] {
  const level = new Map<number, number>();
  const levels: number[][] = [];
  for (const index of needed) {
    let depth = 0;
    for (const dependency of stages[index].dependsOn) depth = Math.max(depth, (level.get(dependency) ?? -1) + 1);
    level.set(index, depth);
    (levels[depth] ??= []).push(index);
  }
  return levels;
}
