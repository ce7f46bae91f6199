import type { FromInstruction, OnbuildInstruction } from '../../parser/index.js';
import type { BuildErrorLocation } from '../errors.js';
import type { Platform } from './platform.js';
import { resolveCopyFrom, resolveMountFrom, type ResolveContext, type StageNames } from './stage-sources.js';
import type { PlannedStep, SourceRef, StagePlan, StepInstruction, StepSource } from './types.js';

/** What resolving the sources of steps needs. */
export interface StepContext {
  file: string;
  names: StageNames;
  stageCount: number;
  contexts: ReadonlyMap<string, string>;
  targetPlatform: Platform;
  stageNames: readonly string[];
}

function stepSources(instruction: StepInstruction, location: BuildErrorLocation, context: StepContext): StepSource[] {
  const resolve: ResolveContext = { contexts: context.contexts, platform: context.targetPlatform, location, stageNames: context.stageNames };
  const sources: StepSource[] = [];
  if (instruction.kind === 'COPY' && instruction.from !== undefined) {
    const text = instruction.from.value;
    sources.push({ via: 'copy-from', text, source: resolveCopyFrom(text, context.names, context.stageCount, resolve) });
  }
  if (instruction.kind === 'RUN') {
    for (const mount of instruction.mounts) {
      if (mount.from === undefined || mount.from === '') continue;
      sources.push({ via: 'mount-from', text: mount.from, source: resolveMountFrom(mount.from, context.names, resolve) });
    }
  }
  return sources;
}

/** Steps for instructions: a stage's own located at themselves, ONBUILD triggers (`trigger` set) at the FROM. */
export function planSteps(instructions: readonly StepInstruction[], trigger: FromInstruction | undefined, context: StepContext): PlannedStep[] {
  return instructions.map((instruction) => {
    const range = trigger === undefined ? instruction.range : trigger.range;
    return {
      instruction,
      onbuild: trigger !== undefined,
      location: range,
      sources: stepSources(instruction, { file: context.file, range }, context),
    };
  });
}

function sourceKey(source: SourceRef): string {
  switch (source.kind) {
    case 'stage':
      return `stage:${source.stage}`;
    case 'image':
      return `image:${source.normalized}`;
    case 'context':
      return `context:${source.name}`;
    case 'scratch':
      return 'scratch';
  }
}

/** `dependsOn` and `externalSources` from the base and the steps. */
export function withDependencies(stage: StagePlan): StagePlan {
  if (stage.replacedBy !== undefined) return { ...stage, dependsOn: [], externalSources: [stage.base] };
  const all = [stage.base, ...stage.steps.flatMap((step) => step.sources.map((source) => source.source))];
  const stagesUsed = new Set<number>();
  const external = new Map<string, SourceRef>();
  for (const source of all) {
    if (source.kind === 'stage') stagesUsed.add(source.stage);
    else if (!external.has(sourceKey(source))) external.set(sourceKey(source), source);
  }
  return { ...stage, dependsOn: [...stagesUsed].sort((a, b) => a - b), externalSources: [...external.values()] };
}

/** Stage name → index with the last definition winning, as BuildKit's map of states after all FROMs. */
export function finalNames(stages: readonly StagePlan[]): Map<string, number> {
  const names = new Map<string, number>();
  for (const stage of stages) if (stage.name !== undefined) names.set(stage.name, stage.index);
  return names;
}

/** The ONBUILD expressions a stage declares itself, which a stage built on it runs first. */
export function triggerExpressions(base: StagePlan): string[] {
  return base.steps
    .filter((step) => !step.onbuild && step.instruction.kind === 'ONBUILD')
    .map((step) => (step.instruction as OnbuildInstruction).expression);
}

