import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ContentStore, StoreLayout } from '../cache/index.js';
import { FileDigestCache, readDockerignore } from '../context/index.js';
import { parseWithMemo } from '../parser/index.js';
import { DockerfileInvalidError } from './errors.js';
import { assembleImage } from './image-assembly.js';
import { withPushNames, writeOutput } from './outputs.js';
import { baseRegistryImage } from './base-image.js';
import { planBuild } from './plan/index.js';
import { ProgressEmitter } from './progress-emitter.js';
import { StageRunner, type BuildSession } from './stage-runner.js';
import { StepCache } from './step-cache.js';
import { StepErrorCode, StepProblem } from './step-errors.js';
import type { Executor, ExecutorChoice } from '../executor/index.js';
import type { AuthFileOptions, RegistryClient } from '../registry/index.js';
import { visibleStepCount } from './visible-steps.js';
import type { BuildOptions, BuildResult, OutputSpec } from './types.js';

function sourceDateEpochOf(options: BuildOptions): number | undefined {
  if (options.sourceDateEpoch !== undefined) return options.sourceDateEpoch;
  const fromEnv = options.env?.SOURCE_DATE_EPOCH;
  if (fromEnv === undefined || fromEnv === '') return undefined;
  const value = Number(fromEnv);
  return Number.isInteger(value) && value >= 0 ? value : undefined;
}

/**
 * The executor for RUN steps, chosen (with its temp dir made and the executor code loaded) when the first one runs,
 * so a build without RUN, or whose RUN steps are all cached, does none of it; none installed is a NO_EXECUTOR step
 * error.
 */
function executorOnce(choice: ExecutorChoice, makeTempDir: () => Promise<string>): () => Promise<Executor> {
  let executor: Promise<Executor> | undefined;
  const select = async (): Promise<Executor> => {
    const { ExecutorUnavailableError, selectExecutor } = await import('../executor/index.js');
    try {
      return selectExecutor(choice, { tempDir: await makeTempDir() });
    } catch (error) {
      if (!(error instanceof ExecutorUnavailableError)) throw error;
      throw new StepProblem(StepErrorCode.NoExecutor, `no executor for RUN: ${error.message}`, 'Install crun or runc (Debian: apt-get install crun), or util-linux for the built-in chroot executor');
    }
  };
  return () => (executor ??= select());
}

/**
 * The build's registry client, made (and the registry code loaded) when something first talks to a registry: a
 * pull, a push or a registry cache. One client per build, so its tokens are shared.
 */
function registryClientOnce(options: BuildOptions['registry']): () => Promise<RegistryClient> {
  let client: Promise<RegistryClient> | undefined;
  const create = async (): Promise<RegistryClient> => {
    const { RegistryClient } = await import('../registry/index.js');
    return new RegistryClient({ credentials: options?.credentials, authFiles: options?.authFiles as AuthFileOptions | undefined, insecureRegistries: options?.insecureRegistries });
  };
  return () => (client ??= create());
}

/**
 * Builds an image from a Dockerfile and a context: parse, plan, run the stages the target needs (independent
 * ones concurrently), assemble the image and write the outputs. Nothing is printed; progress goes to
 * `onProgress`. Throws a typed error (with a `code`, and the Dockerfile location for step failures).
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const started = Date.now();
  const contextDir = path.resolve(options.context);
  const dockerfilePath = path.resolve(contextDir, options.dockerfile ?? 'Dockerfile');
  const file = options.dockerfile ?? 'Dockerfile';
  const text = options.dockerfileText ?? (await readFile(dockerfilePath, 'utf8'));

  const store = await ContentStore.open({ root: options.cacheDir });
  try {
    // Parsed once the store is open: the remembered parses live in it, and a first build remembers its parse too.
    const parsed = parseWithMemo(text, { file, memoDir: path.join(store.root, StoreLayout.parseMemoName) });
    if (parsed.errors.length > 0) {
      throw new DockerfileInvalidError(parsed.errors.map((error) => error.message).join('\n'), parsed.errors);
    }
    const plan = planBuild(parsed, { buildArgs: options.buildArgs, target: options.target, platform: options.platform, buildContexts: options.buildContexts });
    const progress = new ProgressEmitter(options.onProgress);
    const warnings = plan.warnings.map((warning) => warning.message);
    for (const message of warnings) progress.emit({ type: 'warning', message, time: Date.now() });

    const ignore = await readDockerignore(contextDir, { dockerfile: options.dockerfileText === undefined ? dockerfilePath : undefined });
    const digests = await FileDigestCache.open(path.join(store.root, 'context-digests'));
    const sourceDateEpoch = sourceDateEpochOf(options);
    const noCacheStages = new Set((options.noCacheFilter ?? []).map((name) => name.toLowerCase()));
    const registryClient = registryClientOnce(options.registry);
    // The registry cache's code (and the registry client) are loaded only by a build with --cache-from or --cache-to.
    const remoteCacheModule = options.cacheFrom?.length || options.cacheTo?.length ? await import('./remote-cache/index.js') : undefined;
    const remote = remoteCacheModule
      ? await remoteCacheModule.openRemoteCaches(options, await registryClient(), store, (message) => {
          warnings.push(message);
          progress.emit({ type: 'warning', message, time: Date.now() });
        })
      : undefined;
    const session: BuildSession = {
      plan,
      store,
      cache: new StepCache(store, { remote }),
      contextDir,
      ignore: { matcher: ignore.matcher, patterns: ignore.patterns },
      digests,
      progress,
      noCache: (stage) => options.noCache === true || (stage.name !== undefined && noCacheStages.has(stage.name)),
      sourceDateEpoch,
      now: Math.floor(started / 1000),
      signal: options.signal,
      steps: [],
      limits: options.limits,
      run: {
        executor: executorOnce(options.executor ?? 'auto', () => store.makeTempDir('exec')),
        secrets: options.secrets ?? {},
        network: options.network ?? 'none',
        allow: new Set(options.allow ?? []),
        announced: false,
        fallbackWarned: false,
      },
      registry: {
        client: registryClient,
        resolutionMaxAgeMs: options.pull ? 0 : (options.resolutionMaxAge ?? 3600) * 1000,
      },
    };
    progress.emit({ type: 'build-start', stages: plan.needed.length, steps: plan.needed.reduce((sum, index) => sum + visibleStepCount(plan.stages[index]), 0) });
    const runner = new StageRunner(session);
    for (const level of plan.levels) await Promise.all(level.map((index) => runner.stage(index)));
    const final = await runner.stage(plan.target);
    await digests.save();
    if (remoteCacheModule) await remoteCacheModule.exportRemoteCache(options, await registryClient(), store, session.cache.touched, final.layers);

    const created = new Date(sourceDateEpoch !== undefined ? sourceDateEpoch * 1000 : started);
    const image = await assembleImage(store, final, new Date(started), sourceDateEpoch);
    const tags = options.tags ?? [];
    await store.setRoot('image', image.manifestDescriptor.digest.replace(':', '-'), image.manifestDescriptor);
    const outputs: OutputSpec[] = (options.outputs ?? [{ type: 'oci-layout', dest: path.resolve('build-image-out') }]).map((output) => withPushNames(output, tags));
    for (const output of outputs) {
      const exportStarted = Date.now();
      await writeOutput(store, output, image.manifestDescriptor, final.layers, tags, sourceDateEpoch !== undefined ? created : undefined, session.registry.client, baseRegistryImage(session.plan, plan.target));
      progress.emit({ type: 'export', output, time: Date.now(), durationMs: Date.now() - exportStarted });
    }
    progress.emit({ type: 'build-done', digest: image.manifestDescriptor.digest, time: Date.now(), durationMs: Date.now() - started });
    return { digest: image.manifestDescriptor.digest, manifest: image.manifest, config: image.config, outputs, steps: session.steps, warnings };
  } finally {
    await store.close();
  }
}
