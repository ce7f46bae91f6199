import { parse } from '../../../src/parser/index.js';
import { planBuild, StageScope, expandInstruction, withBaseImageTriggers, type BuildPlan, type PlanOptions, type ExpansionResult } from '../../../src/builder/plan/index.js';
import { applyInstructionToConfig, startStageConfig, type ImageConfig, type HistoryEntry, type RunCommand } from '../../../src/builder/config/index.js';

/** Parses Dockerfile text (which must be valid) and plans it. */
export function plan(text: string, options: PlanOptions = {}): BuildPlan {
  const parsed = parse(text);
  if (parsed.errors.length > 0) throw new Error(`test Dockerfile does not parse: ${parsed.errors[0].message}`);
  return planBuild(parsed, { buildPlatform: 'linux/amd64', ...options });
}

export interface StageRun {
  image: ImageConfig;
  scope: StageScope;
  results: ExpansionResult[];
  history: HistoryEntry[];
  runs: RunCommand[];
}

export interface SimulateOptions extends PlanOptions {
  /** Base image configs by normalized reference (docker.io/library/alpine:latest); missing ones are empty. */
  images?: Record<string, ImageConfig>;
}

/**
 * Runs the pure half of a build the way an executor would: each needed stage in order, from its base config and
 * scope, every step expanded then applied to the config. Filesystem work is skipped.
 */
export function simulate(text: string, options: SimulateOptions = {}): { plan: BuildPlan; stages: Map<number, StageRun>; target: StageRun } {
  let built = plan(text, options);
  const stages = new Map<number, StageRun>();
  const withTriggers = new Set<number>();
  for (;;) {
    const index = built.order.find((candidate) => !stages.has(candidate));
    if (index === undefined) break;
    const stage = built.stages[index];
    const base = stage.base;
    let baseImage: ImageConfig | undefined;
    let parent: StageScope | undefined;
    if (base.kind === 'stage') {
      baseImage = stages.get(base.stage)?.image;
      parent = stages.get(base.stage)?.scope;
    } else if (base.kind === 'image') {
      baseImage = options.images?.[base.normalized] ?? { config: {}, history: [] };
    }
    const start = startStageConfig(baseImage);
    if (base.kind !== 'stage' && start.triggers.length > 0 && !withTriggers.has(index)) {
      // The base image's ONBUILD triggers may need stages not built yet: plan again and pick the next stage anew.
      built = withBaseImageTriggers(built, index, start.triggers);
      withTriggers.add(index);
      continue;
    }
    let image = start.image;
    let configStage = start.stage;
    let scope = StageScope.start(built.variables, { env: image.config.Env, parent });
    const results: ExpansionResult[] = [];
    const runs: RunCommand[] = [];
    for (const step of stage.steps) {
      const result = expandInstruction(step, scope);
      results.push(result);
      scope = result.scope;
      const applied = applyInstructionToConfig(image, result.expanded, configStage, { file: built.file, location: step.location });
      image = applied.image;
      configStage = applied.stage;
      if (applied.run) runs.push(applied.run);
    }
    stages.set(index, { image, scope, results, history: image.history, runs });
  }
  return { plan: built, stages, target: stages.get(built.target) as StageRun };
}

/** The history `created_by` strings a stage added. */
export function createdBy(run: StageRun): string[] {
  return run.history.map((entry) => entry.created_by);
}
