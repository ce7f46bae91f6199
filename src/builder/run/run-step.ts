import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Executor, RunMount as ExecutorMount } from '../../executor/index.js';
import { ExecutorAbortedError, prepareRunRootfs, resolveRunUser } from '../../executor/index.js';
import type { LayerChange } from '../../layers/index.js';
import { defaultPathEnv } from '../config/index.js';
import { StepErrorCode, StepProblem } from '../step-errors.js';
import { OutputTail } from './output-tail.js';
import type { RunStepDefinition } from './run-key.js';
import { prepareMounts, type RunMountContext } from './run-mounts.js';

export interface RunStepContext {
  executor: Executor;
  mounts: RunMountContext;
  signal: AbortSignal | undefined;
  /** Each line of the process's output, as it comes. */
  onOutput: (stream: 'stdout' | 'stderr', text: string) => void;
  /** Called once per step with how the rootfs was made (`overlay`, or `copy` when overlay could not be mounted). */
  onRootfs: (mode: 'overlay' | 'copy', reason: string | undefined, executor: string) => void;
}

/**
 * Runs one RUN step over `parentRootfs` (undefined: an empty filesystem) and hands its filesystem changes to
 * `useChanges` while the rootfs still exists (their file sources point into it). Everything the run made
 * (overlay mount, copies, secret files) is removed afterwards, whether it succeeded, failed or was aborted; an
 * aborted run is an ABORTED step problem.
 */
export async function executeRunStep<T>(
  definition: RunStepDefinition,
  parentRootfs: string | undefined,
  context: RunStepContext,
  useChanges: (changes: LayerChange[]) => Promise<T>,
): Promise<T> {
  // Owner-stamped: if this process dies mid-step, the next store open unmounts and removes it (cache/recover.ts).
  const workDir = await context.mounts.makeTempDir('run');
  const releases: Array<() => Promise<void>> = [() => rm(workDir, { recursive: true, force: true })];
  try {
    const rootfs = await prepareRunRootfs({ lowers: parentRootfs === undefined ? [] : [parentRootfs], workDir });
    releases.push(() => rootfs.release());
    context.onRootfs(rootfs.mode, rootfs.fallbackReason, context.executor.name);

    const { step, command } = definition;
    const cwd = definition.workdir || '/';
    await mkdir(path.join(rootfs.root, cwd), { recursive: true });
    const user = definition.user ? await resolveRunUser(definition.user, rootfs.root) : { uid: 0, gid: 0 };
    const prepared = await prepareMounts(step.mounts, context.mounts);
    releases.push(() => prepared.release());
    const mounts: ExecutorMount[] = prepared.mounts.map((mount) =>
      mount.type === 'bind' ? { type: 'bind', source: mount.source, target: mount.target, readonly: mount.readOnly } : { type: 'tmpfs', target: mount.target, size: mount.sizeBytes },
    );
    if (command.file) {
      const pipes = path.join(workDir, 'pipes');
      await mkdir(pipes);
      await writeFile(path.join(pipes, command.file.name), command.file.content, { mode: command.file.mode });
      mounts.push({ type: 'bind', source: pipes, target: command.file.directory.replace(/\/$/, ''), readonly: true });
    }

    const env = [...step.environment, ...step.proxyEnvironment, ...prepared.env];
    // BuildKit's PATH for RUN when the image sets none.
    if (!env.some((entry) => entry.startsWith('PATH='))) env.unshift(`PATH=${defaultPathEnv('linux')}`);
    const tail = new OutputTail(20);
    const sink = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      for (const line of tail.push(stream, chunk)) context.onOutput(stream, line);
    };
    const outcome = await context.executor.run({
      rootfs: rootfs.root,
      args: command.args,
      env,
      cwd,
      user,
      mounts,
      network: definition.network,
      stdout: sink('stdout'),
      stderr: sink('stderr'),
      signal: context.signal,
    });
    for (const line of tail.flush()) context.onOutput(line.stream, line.text);
    if (outcome.exitCode !== 0) {
      const last = tail.lines();
      throw new StepProblem(
        StepErrorCode.RunFailed,
        `process "${command.args.join(' ')}" did not complete successfully: exit code: ${outcome.exitCode}${last.length > 0 ? `\n${last.join('\n')}` : ''}`,
      );
    }
    const changes = await rootfs.changes();
    const stubs = new Set(outcome.leftoverMountStubs);
    return await useChanges(changes.filter((change) => !stubs.has(change.path)));
  } catch (error) {
    if (error instanceof ExecutorAbortedError) throw new StepProblem(StepErrorCode.Aborted, 'the build was cancelled');
    throw error;
  } finally {
    for (const release of releases.reverse()) await release().catch(() => undefined);
  }
}
