/**
 * The build plan: BuildKit's dockerfile2llb before anything runs. Stages and their dependencies, the target and
 * the stages it needs, ARG scoping, and the expansion of each instruction's fields. Pure: no I/O.
 */
export { planBuild, withBaseImageTriggers } from './plan-build.js';
export { expandInstruction, type ExpansionResult } from './expand-instruction.js';
export { StageScope, splitEnvEntry, type ScopeArg } from './stage-scope.js';
export { parseOnbuildTriggers } from './onbuild-triggers.js';
export {
  defaultBuildPlatform,
  formatPlatform,
  formatPlatformAll,
  hostPlatform,
  normalizePlatform,
  parsePlatform,
  type ParsePlatformOptions,
  type Platform,
} from './platform.js';
export { contextLookupName } from './image-reference.js';
export { isProxyArg, proxyArgNames, proxyEnvironment, toBuildArgMap, type BuildArgsInput } from './build-args.js';
export { automaticArgNames } from './global-args.js';
export { unusedBuildArgsMessage } from './unused-args.js';
export type { VariableUse } from './word-expander.js';
export type { ExpandedInstruction, ExpandedOf, InlineFile, KeyValue } from './expanded.js';
export type {
  BuildPlan,
  PlannedStep,
  PlanOptions,
  PlanWarning,
  SourceRef,
  StagePlan,
  StepInstruction,
  StepSource,
  VariableContext,
} from './types.js';
