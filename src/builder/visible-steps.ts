import type { PlannedStep, StagePlan } from './plan/index.js';

/** Instructions that change the filesystem; progress shows these (and FROM) as steps, as BuildKit does. */
const filesystemKinds: ReadonlySet<string> = new Set(['COPY', 'ADD', 'WORKDIR', 'RUN']);

export function isVisibleStep(step: PlannedStep): boolean {
  return filesystemKinds.has(step.instruction.kind);
}

/** The `n` of `[stage k/n]`: FROM plus the stage's filesystem steps. */
export function visibleStepCount(stage: StagePlan): number {
  return stage.steps.filter(isVisibleStep).length + 1;
}
