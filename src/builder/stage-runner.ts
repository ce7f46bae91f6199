import { lstat, mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import type { ContentStore } from '../cache/index.js';
import type { LayerChange } from '../layers/index.js';
import {
  digestExpanded,
  expandSelection,
  selectSources,
  type DockerignoreMatcher,
  type FileDigestCache,
} from '../context/index.js';
import { applyInstructionToConfig, normalizeWorkdir, startStageConfig, type ContainerConfig, type RunCommand } from './config/index.js';
import type { Executor } from '../executor/index.js';
import type { MountSourceRoot, SecretSource } from './run/run-mounts.js';
import { runStepWork, type Entitlement } from './run/run-work.js';
import { expandInstruction, StageScope, withBaseImageTriggers, type BuildPlan, type ExpandedOf, type Platform, type PlannedStep, type SourceRef, type StagePlan } from './plan/index.js';
import { isImageLocation, loadBaseImage, type BaseImage, type RegistryAccess } from './base-image.js';
import { cacheKey } from './cache-key.js';
import { parseChmod } from './chmod.js';
import type { CopySource } from './copy-layer.js';
import type { LayerRecord } from './layer-record.js';
import { storeLayer } from './layer-step.js';
import { stepDisplayName } from './step-name.js';
import { isVisibleStep, visibleStepCount } from './visible-steps.js';
import type { ProgressEmitter } from './progress-emitter.js';
import { materializeRootfs } from './rootfs.js';
import type { StageState } from './stage-state.js';
import { historyTime, type StepCache } from './step-cache.js';
import { BuildStepError, StepErrorCode, StepProblem } from './step-errors.js';
import type { BuildOptions, StepInfo, StepResult } from './types.js';
import { resolveOwner, type Owner } from './user-database.js';

/** Everything the steps of one build share. */
export interface BuildSession {
  plan: BuildPlan;
  store: ContentStore;
  cache: StepCache;
  contextDir: string;
  /** The context's .dockerignore: compiled, and its patterns (to merge with `--exclude`). */
  ignore: { matcher: DockerignoreMatcher; patterns: readonly string[] };
  digests: FileDigestCache;
  progress: ProgressEmitter;
  noCache: (stage: StagePlan) => boolean;
  sourceDateEpoch: number | undefined;
  /** Seconds since the epoch when the build started: the time of directories steps create. */
  now: number;
  signal: AbortSignal | undefined;
  steps: StepResult[];
  registry: RegistryAccess;
  /** Limits on what ADD unpacks (`BuildOptions.limits`). */
  limits: BuildOptions['limits'];
  run: {
    executor: () => Promise<Executor>;
    secrets: Readonly<Record<string, SecretSource>>;
    network: 'none' | 'host';
    allow: ReadonlySet<Entitlement>;
    /** Whether the executor was named in the progress yet, and the overlay fallback warned about. */
    announced: boolean;
    fallbackWarned: boolean;
  };
}

/** A step with a layer: its cache key and, on a miss, how to make its layer; `release` frees what planning took. */
interface StepWork {
  key: string;
  produce: () => Promise<LayerRecord | undefined>;
  release?: () => Promise<void>;
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StepProblem(StepErrorCode.Aborted, 'the build was cancelled');
}

/**
 * Runs the stages of a plan, each once, in dependency order; independent stages run concurrently. What only a cache
 * miss needs (making layers, ADD's archives and downloads, running RUN) is imported where it is used, so a fully
 * cached build never loads it.
 */
export class StageRunner {
  private readonly results = new Map<number, Promise<StageState>>();
  /** Images a FROM, `COPY --from` or mount names, loaded (pulled) once per build however often they are named. */
  private readonly images = new Map<string, Promise<BaseImage>>();

  constructor(private readonly session: BuildSession) {}

  stage(index: number): Promise<StageState> {
    let result = this.results.get(index);
    if (!result) {
      result = this.run(index);
      this.results.set(index, result);
    }
    return result;
  }

  private async run(index: number): Promise<StageState> {
    const session = this.session;
    const stagePlan = session.plan.stages[index];
    const fromText = stagePlan.from.node.original.replace(/\s+/g, ' ');
    const visible = visibleStepCount(stagePlan);
    const fromInfo = session.progress.step(stagePlan.id, 1, visible, fromText);
    session.progress.emit({ type: 'step-start', step: fromInfo, time: Date.now() });
    const started = Date.now();
    let state: StageState;
    let plan = stagePlan;
    try {
      const start = await this.startStage(stagePlan);
      state = start.state;
      plan = start.plan;
    } catch (error) {
      throw this.fail(fromInfo, error, fromText, stagePlan.from.range);
    }
    session.progress.emit({ type: 'step-done', step: fromInfo, time: Date.now(), durationMs: Date.now() - started });

    let position = 1;
    const total = visibleStepCount(plan);
    for (const step of plan.steps) {
      checkAborted(session.signal);
      const text = stepDisplayName(step);
      const info = isVisibleStep(step) ? session.progress.step(plan.id, ++position, total, text) : undefined;
      try {
        state = await this.runStep(plan, step, state, info);
      } catch (error) {
        throw this.fail(info, error, text, step.location);
      }
    }
    return state;
  }

  private fail(info: StepInfo | undefined, error: unknown, text: string, range: StagePlan['from']['range']): Error {
    const failure = error instanceof BuildStepError ? error : new BuildStepError(error, text, { file: this.session.plan.file, range });
    if (info) this.session.progress.emit({ type: 'step-error', step: info, time: Date.now(), message: failure.message });
    return failure;
  }

  private image(source: SourceRef, platform: Platform): Promise<BaseImage> {
    const key = JSON.stringify([source, platform]);
    let image = this.images.get(key);
    if (!image) {
      image = loadBaseImage(this.session.store, source, platform, this.session.registry);
      this.images.set(key, image);
    }
    return image;
  }

  private async startStage(stagePlan: StagePlan): Promise<{ state: StageState; plan: StagePlan }> {
    const session = this.session;
    const platform = stagePlan.platform ?? session.plan.targetPlatform;
    const variables = session.plan.variables;
    const base: SourceRef = stagePlan.replacedBy ? { kind: 'context', name: stagePlan.replacedBy.name, value: stagePlan.replacedBy.value } : stagePlan.base;
    if (base.kind === 'scratch') {
      const start = startStageConfig(undefined, platform.os);
      return {
        plan: stagePlan,
        state: { image: start.image, configState: start.stage, scope: StageScope.start(variables, { env: start.image.config.Env }), layers: [], key: cacheKey('', ['scratch']), platform },
      };
    }
    if (base.kind === 'stage') {
      const parent = await this.stage(base.stage);
      const start = startStageConfig(parent.image);
      return {
        plan: stagePlan,
        state: { image: start.image, configState: start.stage, scope: StageScope.start(variables, { env: start.image.config.Env, parent: parent.scope }), layers: [...parent.layers], key: parent.key, platform: parent.platform },
      };
    }
    const image = await this.image(base, platform);
    const start = startStageConfig({ os: image.config.os, author: image.config.author, config: withoutNulls(image.config.config ?? {}) as unknown as ContainerConfig, history: (image.config.history ?? []).map((entry) => ({ ...entry, created_by: entry.created_by ?? '' })) });
    let plan = stagePlan;
    if (start.triggers.length > 0) {
      session.plan = withBaseImageTriggers(session.plan, stagePlan.index, start.triggers);
      plan = session.plan.stages[stagePlan.index];
    }
    return {
      plan,
      state: { image: start.image, configState: start.stage, scope: StageScope.start(variables, { env: start.image.config.Env }), layers: image.layers, key: image.key, platform: image.platform },
    };
  }

  private async runStep(plan: StagePlan, step: PlannedStep, state: StageState, info: StepInfo | undefined): Promise<StageState> {
    const session = this.session;
    const expansion = expandInstruction(step, state.scope);
    const expanded = expansion.expanded;
    const applied = applyInstructionToConfig(state.image, expanded, state.configState, { file: session.plan.file, location: step.location });
    const next: StageState = { ...state, image: applied.image, configState: applied.stage, scope: expansion.scope };
    if (!info) return next;

    const started = Date.now();
    session.progress.emit({ type: 'step-start', step: info, time: started });
    const work =
      expanded.kind === 'RUN'
        ? await this.runWork(step, expanded, applied.run, state, info)
        : await this.fileWork(plan, step, expanded as ExpandedOf<'COPY'> | ExpandedOf<'ADD'> | ExpandedOf<'WORKDIR'>, state, expansion.cacheArgs);
    let cached: Awaited<ReturnType<StepCache['lookup']>>;
    let layer: LayerRecord | undefined;
    try {
      cached = session.noCache(plan) ? undefined : await session.cache.lookup(work.key);
      if (cached) {
        layer = cached.layer;
        session.progress.emit({ type: 'step-cached', step: info, time: Date.now() });
      } else {
        layer = await session.cache.record(work.key, await work.produce(), historyTime(Date.now()));
        session.progress.emit({ type: 'step-done', step: info, time: Date.now(), durationMs: Date.now() - started });
      }
    } finally {
      await work.release?.();
    }
    session.steps.push({ stage: plan.id, name: info.name, cached: cached !== undefined, layer: layer?.descriptor });
    const history = next.image.history;
    if (!layer && history.length > 0) history[history.length - 1] = { ...history[history.length - 1], empty_layer: true };
    if (layer) {
      const last = history[history.length - 1];
      if (last) {
        delete last.empty_layer;
        // With SOURCE_DATE_EPOCH every entry of this build gets that time instead (image-assembly.ts).
        if (layer.created !== undefined && session.sourceDateEpoch === undefined) last.created = layer.created;
      }
    }
    return { ...next, layers: layer ? [...state.layers, layer] : state.layers, key: work.key };
  }

  /** A COPY, ADD or WORKDIR step: its key and, on a miss, how to make its layer (none when nothing changed). */
  private async fileWork(
    plan: StagePlan,
    step: PlannedStep,
    expanded: ExpandedOf<'COPY'> | ExpandedOf<'ADD'> | ExpandedOf<'WORKDIR'>,
    state: StageState,
    cacheArgs: Array<{ name: string; value: string }>,
  ): Promise<StepWork> {
    const work = await this.layerWork(plan, step, expanded, state, cacheArgs);
    const store = this.session.store;
    return {
      key: work.key,
      release: work.release,
      produce: async () => {
        const changes = await work.changes();
        return changes.length > 0 ? storeLayer(store, changes, this.session.sourceDateEpoch) : undefined;
      },
    };
  }

  /** A RUN step: its key and, on a miss, how to run it in the executor and make its layer. */
  private async runWork(step: PlannedStep, expanded: ExpandedOf<'RUN'>, command: RunCommand | undefined, state: StageState, info: StepInfo): Promise<StepWork> {
    const session = this.session;
    if (!command) throw new Error('RUN without a command');
    const emitLog = (stream: 'stdout' | 'stderr', text: string): void => session.progress.emit({ type: 'step-log', step: info, time: Date.now(), stream, text });
    const work = await runStepWork(
      state.key,
      { step: expanded, command, user: state.image.config.User, workdir: state.image.config.WorkingDir || '/' },
      {
        executor: () => session.run.executor(),
        mounts: {
          sourceRoot: (from) => this.mountSourceRoot(from, step),
          secrets: session.run.secrets,
          storeRoot: session.store.root,
          makeTempDir: (label) => session.store.makeTempDir(label),
        },
        defaultNetwork: session.run.network,
        allow: session.run.allow,
        signal: session.signal,
        onOutput: emitLog,
        onRootfs: (mode, reason, executor) => {
          if (!session.run.announced) {
            session.run.announced = true;
            emitLog('stderr', `build-image: RUN steps run in ${executor}, over an ${mode === 'overlay' ? 'overlay mount' : 'rootfs copy'}`);
          }
          if (mode === 'copy' && reason && !session.run.fallbackWarned) {
            session.run.fallbackWarned = true;
            session.progress.emit({ type: 'warning', time: Date.now(), message: `RUN steps copy the filesystem instead of mounting an overlay (${reason}); this is slower` });
          }
        },
      },
    );
    return {
      key: work.key,
      produce: () =>
        work.produce(
          () => materializeRootfs(session.store, state.layers),
          async (changes) => (changes.length > 0 ? storeLayer(session.store, changes, session.sourceDateEpoch) : undefined),
        ),
    };
  }

  /** Where a RUN mount's `from` (or the context) has its files. */
  private async mountSourceRoot(from: string | undefined, step: PlannedStep): Promise<MountSourceRoot> {
    const session = this.session;
    if (from === undefined) return { root: session.contextDir, key: 'context', excludes: session.ignore.matcher, filtered: session.ignore.patterns.length > 0 };
    const located = await this.copySourceRoot(from, step, 'mount-from');
    return { root: located.root, key: located.key, excludes: undefined, filtered: false };
  }

  /** The cache key of a filesystem step and, on a miss, how to make its changes. */
  private async layerWork(
    plan: StagePlan,
    step: PlannedStep,
    expanded: ExpandedOf<'COPY'> | ExpandedOf<'ADD'> | ExpandedOf<'WORKDIR'>,
    state: StageState,
    cacheArgs: Array<{ name: string; value: string }>,
  ): Promise<{ key: string; changes: () => Promise<LayerChange[]>; release?: () => Promise<void> }> {
    const session = this.session;
    const rootfs = (): Promise<string | undefined> => materializeRootfs(session.store, state.layers);
    if (expanded.kind === 'WORKDIR') {
      const workdir = normalizeWorkdir(state.image.config.WorkingDir, expanded.path);
      const key = cacheKey(state.key, ['WORKDIR', workdir, state.image.config.User ?? '']);
      return {
        key,
        changes: async () => {
          const root = await rootfs();
          const existing = root === undefined ? undefined : await lstat(path.join(root, workdir)).catch(() => undefined);
          if (workdir === '/' || existing?.isDirectory()) return [];
          // BuildKit makes the missing directories as the stage's USER.
          const user = state.image.config.User;
          const owner = user ? await resolveOwner(user, root) : undefined;
          return directoryChain(workdir, root, owner, session.sourceDateEpoch ?? session.now);
        },
      };
    }

    const workdir = state.image.config.WorkingDir || '/';
    const destination = expanded.destination.startsWith('/') ? expanded.destination : `${normalizeWorkdir(workdir, expanded.destination)}${expanded.destination.endsWith('/') ? '/' : ''}`;
    const add = expanded.kind === 'ADD' ? (await import('./add/index.js')).AddSources.plan(expanded, path.join(session.store.root, 'tmp'), session.signal, session.limits) : undefined;
    const from = await this.copySourceRoot(expanded.kind === 'COPY' ? expanded.from : undefined, step);
    const exclude = expanded.exclude;
    const selections: CopySource[][] = [];
    for (const [index, source] of expanded.sources.entries()) {
      const group: CopySource[] = [];
      selections.push(group);
      if (add?.isRemote(index)) continue;
      const selected = await selectSources(from.root, source, { excludes: from.excludes ? mergeExcludes(from.excludes, exclude) : exclude, symlinks: from.excludes ? 'error' : 'scoped' });
      const expandedSources = await expandSelection(from.root, selected, { excludes: from.excludes ? mergeExcludes(from.excludes, exclude) : exclude });
      for (const item of expandedSources) group.push({ root: from.root, expanded: item, keepOwners: false });
    }
    const contentDigest = await digestExpanded(
      from.root,
      selections.flat().map((selection) => selection.expanded),
      { cache: from.excludes ? session.digests : undefined },
    );
    const addKey = await add?.keyPart().catch(async (error: unknown) => {
      await add.release();
      throw error;
    });
    const key = cacheKey(state.key, [
      expanded.kind,
      { from: from.key, destination, chown: expanded.chown ?? null, chmod: expanded.chmod ?? null, link: expanded.link, parents: 'parents' in expanded ? expanded.parents : false, exclude },
      expanded.heredocs,
      contentDigest,
      cacheArgs,
      ...(add ? [addKey] : []),
    ]);
    return {
      key,
      release: add && (() => add.release()),
      changes: async () => {
        const root = await rootfs();
        const owner = expanded.chown ? await resolveOwner(expanded.chown, root) : undefined;
        const chmod = expanded.chmod ? parseChmod(expanded.chmod) : undefined;
        const { copyChanges } = await import('./copy-layer.js');
        return copyChanges(
          { destination, rootfs: root, owner, chmod, parents: 'parents' in expanded ? expanded.parents : false, now: session.sourceDateEpoch ?? session.now, staging: add?.staging() },
          add ? await add.stepSources(selections) : selections.flat(),
          expanded.heredocs,
        );
      },
    };
  }

  /** Where COPY reads: the context (with .dockerignore), or the filesystem of a stage or image for `--from`. */
  private async copySourceRoot(
    from: string | undefined,
    step: PlannedStep,
    via: 'copy-from' | 'mount-from' = 'copy-from',
  ): Promise<{ root: string; excludes: BuildSession['ignore'] | undefined; key: string }> {
    const session = this.session;
    if (from === undefined) return { root: session.contextDir, excludes: session.ignore, key: 'context' };
    const source = step.sources.find((candidate) => candidate.via === via && (via === 'copy-from' || candidate.text === from))?.source;
    if (!source) throw new Error(`${via === 'copy-from' ? 'COPY --from' : 'RUN --mount from'}=${from}: source not planned`);
    if (source.kind === 'stage') {
      const stage = await this.stage(source.stage);
      const root = await materializeRootfs(session.store, stage.layers);
      return { root: root ?? (await emptyDirectory(session)), excludes: undefined, key: stage.key };
    }
    if (source.kind === 'context' && !isImageLocation(source.value) && !source.value.startsWith('docker-image://')) {
      return { root: path.resolve(session.contextDir, source.value), excludes: undefined, key: `context:${source.name}` };
    }
    if (source.kind === 'scratch') return { root: await emptyDirectory(session), excludes: undefined, key: 'scratch' };
    const image = await this.image(source, session.plan.targetPlatform);
    const root = await materializeRootfs(session.store, image.layers);
    return { root: root ?? (await emptyDirectory(session)), excludes: undefined, key: image.key };
  }
}

/** Docker writes `null` for empty lists in some configs; the instructions' config has absent fields instead. */
function withoutNulls<T extends object>(config: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(config).filter(([, value]) => value !== null)) as { [K in keyof T]: Exclude<T[K], null> };
}

function mergeExcludes(ignore: { matcher: DockerignoreMatcher; patterns: readonly string[] }, extra: readonly string[]): DockerignoreMatcher | readonly string[] {
  return extra.length === 0 ? ignore.matcher : [...ignore.patterns, ...extra];
}

async function emptyDirectory(session: BuildSession): Promise<string> {
  return mkdtemp(path.join(session.store.root, 'tmp', 'empty-'));
}

/** The directories WORKDIR writes: every component of the path, existing ones with their metadata. */
async function directoryChain(workdir: string, root: string | undefined, owner: Owner | undefined, now: number): Promise<LayerChange[]> {
  const { directoryEntry } = await import('./copy-layer.js');
  const parts = workdir.split('/').filter(Boolean);
  return Promise.all(parts.map((_part, index) => directoryEntry(root, parts.slice(0, index + 1).join('/'), owner, now)));
}

