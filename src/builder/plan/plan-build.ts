import type { ParseResult } from '../../parser/index.js';
import { BuildErrorCode, DockerfileInvalidError, StageResolutionError } from '../errors.js';
import { toBuildArgMap } from './build-args.js';
import { automaticArgs, resolveGlobalArgs } from './global-args.js';
import { checkCircularDependencies, checkDefinitionOrder, concurrencyLevels, neededStages } from './graph.js';
import { parseOnbuildTriggers } from './onbuild-triggers.js';
import { defaultBuildPlatform, parsePlatform, type Platform, normalizePlatform } from './platform.js';
import { planFromLine, type FromContext } from './from-line.js';
import { finalNames, planSteps, triggerExpressions, withDependencies, type StepContext } from './plan-steps.js';
import { splitStages } from './split-stages.js';
import { closestName } from './suggest.js';
import type { BuildPlan, PlanOptions, PlanWarning, StagePlan } from './types.js';
import { findUnusedBuildArgs, unusedBuildArgsMessage } from './unused-args.js';

function toPlatform(value: string | Platform, defaults: Platform): Platform {
  return typeof value === 'string' ? parsePlatform(value, { defaults }) : normalizePlatform(value);
}

function finishPlan(plan: Omit<BuildPlan, 'needed' | 'order' | 'levels'>): BuildPlan {
  checkCircularDependencies(plan.stages, plan.file);
  const needed = neededStages(plan.stages, plan.target);
  checkDefinitionOrder(plan.stages, needed, plan.file);
  return { ...plan, needed, order: [...needed], levels: concurrencyLevels(plan.stages, needed) };
}

/**
 * Builds the stages of a parsed Dockerfile as BuildKit's dockerfile2llb does before running anything: the global
 * ARGs, every FROM expanded with them, the stages each stage needs (base stage, `COPY --from`, `RUN --mount
 * from=`), the target and the stages it needs, in an order that respects dependencies. Throws a `BuildError`
 * for what BuildKit rejects before building.
 */
export function planBuild(parsed: ParseResult, options: PlanOptions = {}): BuildPlan {
  const file = parsed.file ?? 'Dockerfile';
  if (parsed.errors.length > 0) {
    const first = parsed.errors[0];
    throw new DockerfileInvalidError(first.detail, parsed.errors, {
      location: first.range ? { file, range: first.range } : undefined,
      hint: parsed.errors.length > 1 ? `Fix this and the ${parsed.errors.length - 1} other Dockerfile error(s)` : 'Fix the Dockerfile syntax',
    });
  }
  const escapeChar = parsed.syntax.escapeChar;
  const buildArgs = toBuildArgMap(options.buildArgs);
  const contexts: ReadonlyMap<string, string> = options.buildContexts instanceof Map
    ? new Map(options.buildContexts)
    : new Map(Object.entries((options.buildContexts ?? {}) as Record<string, string>));
  const buildPlatform = options.buildPlatform === undefined ? defaultBuildPlatform() : toPlatform(options.buildPlatform, defaultBuildPlatform());
  const targetPlatform = options.platform === undefined ? buildPlatform : toPlatform(options.platform, buildPlatform);

  const split = splitStages(parsed.instructions, file);
  const lastFrom = split.stages[split.stages.length - 1].from;
  const targetName = options.target ?? lastFrom.stageName?.value ?? '';
  const global = resolveGlobalArgs(split.globalArgs, automaticArgs(buildPlatform, targetPlatform, targetName, buildArgs), buildArgs, file, escapeChar);

  // FROM lines, in order: a base names a stage defined above it (exactly, as BuildKit), else an image.
  const names = new Map<string, number>();
  const warnings: PlanWarning[] = [];
  const fromContext: FromContext = { file, escapeChar, globals: global.values, buildPlatform, targetPlatform, contexts };
  const stages: StagePlan[] = split.stages.map((raw, index) => {
    const stage = planFromLine(raw.from, index, names, fromContext);
    const { name } = stage;
    if (name !== undefined) {
      if (names.has(name)) {
        const detail = `Duplicate stage name ${JSON.stringify(name)}, stage names should be unique`;
        const location = { file, range: raw.from.range };
        if (options.duplicateStageNames === 'error') {
          throw new StageResolutionError(BuildErrorCode.DuplicateStageName, detail, { location, hint: 'Rename one of the stages' });
        }
        warnings.push({ code: 'DUPLICATE_STAGE_NAME', message: detail, location });
      }
      names.set(name, index);
    }
    return stage;
  });

  let target = stages.length - 1;
  if (options.target !== undefined) {
    const found = names.get(options.target.toLowerCase());
    if (found === undefined) {
      const known = [...names.keys()];
      const close = closestName(options.target.toLowerCase(), known);
      throw new StageResolutionError(BuildErrorCode.UnknownTarget, `target stage ${JSON.stringify(options.target)} could not be found`, {
        hint: known.length === 0
          ? 'The Dockerfile has no named stage; add "AS name" to a FROM line or build without a target'
          : `${close === undefined ? '' : `Did you mean "${close}"? `}Named stages: ${known.join(', ')}`,
      });
    }
    target = found;
  }

  // Steps: inherited ONBUILD triggers of a base stage first, then the stage's own instructions.
  const stepContext: StepContext = { file, names, stageCount: stages.length, contexts, targetPlatform, stageNames: [...names.keys()] };
  for (const stage of stages) {
    const raw = split.stages[stage.index];
    const triggers = stage.base.kind === 'stage'
      ? parseOnbuildTriggers(triggerExpressions(stages[stage.base.stage]), { file, range: stage.from.range })
      : [];
    stage.steps = [...planSteps(triggers, stage.from, stepContext), ...planSteps(raw.instructions, undefined, stepContext)];
  }

  const planned = stages.map(withDependencies);
  const unused = findUnusedBuildArgs(buildArgs, global.declared, planned, neededStages(planned, target));
  if (unused.length > 0) warnings.push({ code: 'UNUSED_BUILD_ARGS', message: unusedBuildArgsMessage(unused) });

  return finishPlan({
    file,
    stages: planned,
    target,
    buildPlatform,
    targetPlatform,
    implicitTargetPlatform: options.platform === undefined,
    variables: { file, escapeChar, globalArgs: global.values, buildArgs },
    buildContexts: contexts,
    unusedBuildArgs: unused,
    warnings,
  });
}

/**
 * Adds the ONBUILD triggers of a stage's base image (its config's `OnBuild`), known once the image is resolved:
 * they run before the stage's own steps and may bring new stage dependencies, so the graph is worked out again.
 * A stage built on another stage already has that stage's triggers in the plan; its base config is ignored here.
 * Adding triggers to a stage that already has some is a no-op, so calling this twice does not run them twice.
 */
export function withBaseImageTriggers(plan: BuildPlan, stageIndex: number, triggers: readonly string[]): BuildPlan {
  const stage = plan.stages[stageIndex];
  const skip = triggers.length === 0 || stage.base.kind === 'stage' || stage.replacedBy !== undefined || stage.steps.some((step) => step.onbuild);
  if (skip) return plan;
  const names = finalNames(plan.stages);
  const context: StepContext = {
    file: plan.file,
    names,
    stageCount: plan.stages.length,
    contexts: plan.buildContexts,
    targetPlatform: plan.targetPlatform,
    stageNames: [...names.keys()],
  };
  const instructions = parseOnbuildTriggers(triggers, { file: plan.file, range: stage.from.range });
  const updated = withDependencies({ ...stage, steps: [...planSteps(instructions, stage.from, context), ...stage.steps] });
  const stages = plan.stages.map((existing) => (existing.index === stageIndex ? updated : existing));
  const declared = new Set(instructions.flatMap((instruction) => (instruction.kind === 'ARG' ? instruction.args.map((arg) => arg.name) : [])));
  const unused = plan.unusedBuildArgs.filter((name) => !declared.has(name));
  const warnings = plan.warnings.filter((warning) => warning.code !== 'UNUSED_BUILD_ARGS');
  if (unused.length > 0) warnings.push({ code: 'UNUSED_BUILD_ARGS', message: unusedBuildArgsMessage(unused) });
  const { needed: _needed, order: _order, levels: _levels, ...rest } = plan;
  return finishPlan({ ...rest, stages, unusedBuildArgs: unused, warnings });
}
