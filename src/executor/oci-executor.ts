/**
 * The OCI runtime executor: writes a bundle (config.json from buildOciSpec) and runs
 * `<runtime> --root <state> run --bundle <bundle> <id>` with stdio piped. Abort: `kill <id> KILL` (retried until
 * the container exists or the runtime has exited), then `delete --force`; killing the container's init ends its
 * whole pid namespace.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { hybridCgroup2Mounts } from './cgroup-mounts.js';
import { sysfsNeedsBind, ttyGroupMapped } from './current-user-namespace.js';
import { findOnPath } from './host-tools.js';
import { planNofileLimit } from './nofile-limit.js';
import { buildOciSpec } from './oci-spec.js';
import { hostEnv, runHostProcess, type HostCommand } from './process-run.js';
import { runWithLifecycle, type LaunchContext, type Launched } from './run-lifecycle.js';
import { shellQuote } from './shell-quote.js';
import type { Executor, RunOutcome, RunRequest } from './types.js';

export type OciRuntimeName = 'crun' | 'runc';

export interface OciRuntime {
  readonly name: OciRuntimeName;
  /** Absolute path of the runtime binary. */
  readonly path: string;
}

export interface ExecutorOptions {
  /** Where the run's private directories go (bundle, state, hosts); default os.tmpdir(). */
  readonly tempDir?: string;
}

/** The runtime on PATH, or undefined. */
export function findOciRuntime(name: OciRuntimeName): OciRuntime | undefined {
  const found = findOnPath(name);
  return found === undefined ? undefined : { name, path: found };
}

const KILL_RETRY_MS = 50;
const KILL_PATIENCE_MS = 5_000;
let containerCount = 0;

export class OciRuntimeExecutor implements Executor {
  readonly name: OciRuntimeName;

  constructor(
    readonly runtime: OciRuntime,
    private readonly options: ExecutorOptions = {},
  ) {
    this.name = runtime.name;
  }

  run(request: RunRequest): Promise<RunOutcome> {
    return runWithLifecycle(request, this.options.tempDir, (context) => this.launch(context));
  }

  private async launch(context: LaunchContext): Promise<Launched> {
    const bundle = path.join(context.runDir, 'bundle');
    const state = path.join(context.runDir, 'state');
    await Promise.all([mkdir(bundle), mkdir(state)]);
    const nofile = planNofileLimit();
    const spec = buildOciSpec({
      request: context.request,
      system: context.plan.system,
      user: context.plan.user,
      hostFiles: context.hostFiles,
      nofileLimit: nofile.limit,
      sysfsFromHost: sysfsNeedsBind(context.request.network),
      ttyGroup: ttyGroupMapped(),
    });
    await writeFile(path.join(bundle, 'config.json'), JSON.stringify(spec));
    const id = `build-image-${process.pid}-${++containerCount}-${randomBytes(4).toString('hex')}`;
    const globals = this.globalArgs(state);
    const control = (...args: string[]) => this.control([...globals, ...args]);
    try {
      const end = await runHostProcess(this.runCommand(nofile.prefix, [...globals, 'run', '--bundle', bundle, id]), context.original, context.original.signal, (child) =>
        killContainer(child, () => control('kill', id, 'KILL')),
      );
      return { end, reportsSignal: false };
    } finally {
      // `run` deletes the container when it exits by itself; after a kill or a crash the state may remain.
      if (existsSync(path.join(state, id))) await control('delete', '--force', id);
    }
  }

  private globalArgs(state: string): string[] {
    // Without cgroups crun needs no cgroup manager; nothing here sets resource limits.
    return this.runtime.name === 'crun' ? ['--cgroup-manager=disabled', '--root', state] : ['--root', state];
  }

  private runCommand(prefix: readonly string[], args: string[]): HostCommand {
    const hybrid = this.runtime.name === 'crun' ? hybridCgroup2Mounts() : [];
    // An empty tmpfs over the mount point hides it; unmounting it would not do in a user namespace, which cannot
    // unmount what it inherited.
    const cover = hybrid.map((mountPoint) => `mount -t tmpfs -o ro,nosuid,nodev,noexec tmpfs ${shellQuote(mountPoint)}`).join(' && ');
    const hide = hybrid.length === 0 ? [] : ['unshare', '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', `${cover} && exec "$@"`, 'sh'];
    const [command, ...rest] = [...prefix, ...hide, this.runtime.path, ...args];
    return { command, args: rest, env: hostEnv() };
  }

  private control(args: string[]): Promise<boolean> {
    return new Promise((resolve) => {
      execFile(this.runtime.path, args, { env: hostEnv() }, (error) => resolve(error === null));
    });
  }
}

/**
 * Sends KILL through the runtime until it succeeds (the container may not exist yet) or the runtime process has
 * exited; a runtime that is still alive after that is killed itself (its container, if any, is then removed by
 * `delete --force`).
 */
async function killContainer(child: ChildProcess, kill: () => Promise<boolean>): Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + KILL_PATIENCE_MS;
  while (!done && Date.now() < deadline) {
    if (await kill()) break;
    await Promise.race([exited, delay(KILL_RETRY_MS)]);
  }
  await Promise.race([exited, delay(KILL_PATIENCE_MS)]);
  if (!done) {
    child.kill('SIGKILL');
    await exited;
  }
}
