import type { FromInstruction, Instruction, SourceRange } from '../../parser/index.js';
import type { BuildArgsInput } from './build-args.js';
import type { Platform } from './platform.js';

/** Every instruction that can appear inside a stage (FROM starts a stage instead). */
export type StepInstruction = Exclude<Instruction, FromInstruction>;

/** What a FROM, `COPY --from` or `RUN --mount from=` reads. */
export type SourceRef =
  /** An earlier stage of this Dockerfile, by index. */
  | { kind: 'stage'; stage: number }
  /** An image from a registry. */
  | {
      kind: 'image';
      /** As written (after global-ARG expansion for FROM). */
      reference: string;
      /** Fully qualified, with `:latest` when neither tag nor digest was given: `docker.io/library/alpine:latest`. */
      normalized: string;
    }
  /** A named build context (`--build-context name=value`) standing in for a stage or an image. */
  | { kind: 'context'; name: string; value: string }
  /** The empty filesystem. */
  | { kind: 'scratch' };

/** One source a step reads, with the flag it came from. */
export interface StepSource {
  via: 'copy-from' | 'mount-from';
  /** The flag value as written. */
  text: string;
  source: SourceRef;
}

/** One instruction of a stage, ready to run. */
export interface PlannedStep {
  instruction: StepInstruction;
  /** An ONBUILD trigger inherited from the base; BuildKit runs these before the stage's own instructions. */
  onbuild: boolean;
  /** Where its errors are reported: the instruction, or the stage's FROM for a trigger (as BuildKit). */
  location: SourceRange;
  sources: StepSource[];
}

export interface StagePlan {
  index: number;
  /** `AS name`, lower-cased (BuildKit compares names case-insensitively). */
  name: string | undefined;
  /** The name, or `stage-N` for an unnamed stage (how BuildKit refers to it in messages). */
  id: string;
  from: FromInstruction;
  /** FROM's image after expansion with the global ARGs. */
  baseName: string;
  base: SourceRef;
  /** `FROM --platform` after expansion, normalised; undefined means the target platform (or the base stage's). */
  platform: Platform | undefined;
  /** Set when a `--build-context` with the stage's name replaces the whole stage: its steps are not run. */
  replacedBy: { name: string; value: string } | undefined;
  /** Inherited ONBUILD triggers first, then the stage's instructions. */
  steps: PlannedStep[];
  /** Stages this one needs (base stage, `COPY --from`, mounts), ascending. */
  dependsOn: number[];
  /** Images, contexts and scratch it reads (base included), without duplicates. */
  externalSources: SourceRef[];
  /** Global ARGs referenced by the FROM line (image and --platform). */
  usedGlobalArgs: string[];
}

/** A finding that does not stop the build. */
export interface PlanWarning {
  code: 'UNUSED_BUILD_ARGS' | 'DUPLICATE_STAGE_NAME';
  message: string;
  location?: { file: string; range: SourceRange };
}

/** Everything variable expansion needs from the whole build. */
export interface VariableContext {
  file: string;
  escapeChar: '\\' | '`';
  /** The global scope: automatic platform ARGs, TARGETSTAGE and the ARGs before the first FROM that have a value. */
  globalArgs: ReadonlyMap<string, string>;
  /** `--build-arg` values. */
  buildArgs: ReadonlyMap<string, string>;
}

export interface BuildPlan {
  file: string;
  stages: StagePlan[];
  /** Index of the stage the build produces. */
  target: number;
  /** Stages the target needs, itself included, ascending. Others are not built. */
  needed: number[];
  /** `needed` in an order where every stage comes after those it depends on. */
  order: number[];
  /** `needed` grouped so that each group only depends on earlier groups: stages of one group can run concurrently. */
  levels: number[][];
  buildPlatform: Platform;
  targetPlatform: Platform;
  /** No platform was asked for: the target platform is the build platform. */
  implicitTargetPlatform: boolean;
  variables: VariableContext;
  buildContexts: ReadonlyMap<string, string>;
  /** Build arguments given but never declared by an ARG that the build runs (proxy arguments excepted). */
  unusedBuildArgs: string[];
  warnings: PlanWarning[];
}

export interface PlanOptions {
  buildArgs?: BuildArgsInput;
  /** `--target`: a stage name (case-insensitive); default the last stage. */
  target?: string;
  /** `--platform`: the target platform; default the build platform. */
  platform?: string | Platform;
  /** The platform of the machine running the steps; default linux on this machine's architecture. */
  buildPlatform?: string | Platform;
  /** `--build-context name=value`; the values are opaque here. */
  buildContexts?: Readonly<Record<string, string>> | ReadonlyMap<string, string>;
  /** BuildKit only warns about duplicate stage names (the last definition wins); `error` refuses them. */
  duplicateStageNames?: 'warn' | 'error';
}
