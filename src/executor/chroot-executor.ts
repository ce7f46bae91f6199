/**
 * The built-in executor: util-linux `unshare` with new mount, pid (pid 1 is the script, then the command),
 * ipc, uts and, for network none, net namespaces, running chrootScript. `--kill-child` ties the namespace's
 * init to unshare: killing unshare kills init, and with it every process of the pid namespace. Differences from
 * the OCI runtimes: no masked or read-only /proc paths, no device cgroup, and the request's environment is also
 * seen by the host's `unshare` binary, the last step before exec.
 */
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { findOnPath } from './host-tools.js';
import { chrootScript, type ChrootTools } from './chroot-script.js';
import type { ExecutorOptions } from './oci-executor.js';
import { planNofileLimit } from './nofile-limit.js';
import { hostEnv, runHostProcess } from './process-run.js';
import { runWithLifecycle, type LaunchContext, type Launched } from './run-lifecycle.js';
import type { Executor, RunOutcome, RunRequest } from './types.js';

export const CHROOT_REQUIRED_TOOLS = ['unshare', 'setpriv', 'env', 'mount', 'sh'] as const;

/** The tools the chroot executor needs, or the names of the missing ones. */
export function findChrootTools(): ChrootTools | { missing: string[] } {
  const found = Object.fromEntries(CHROOT_REQUIRED_TOOLS.map((tool) => [tool, findOnPath(tool)]));
  const missing = CHROOT_REQUIRED_TOOLS.filter((tool) => found[tool] === undefined);
  if (missing.length > 0) return { missing };
  const busybox = findOnPath('busybox');
  const toolOrApplet = (name: string) => {
    const tool = findOnPath(name);
    return tool !== undefined ? [tool] : busybox !== undefined ? [busybox, name] : undefined;
  };
  const [ip, hostname] = [toolOrApplet('ip'), toolOrApplet('hostname')];
  return {
    setpriv: found.setpriv!,
    env: found.env!,
    unshare: found.unshare!,
    ...(ip !== undefined ? { ip } : {}),
    ...(hostname !== undefined ? { hostname } : {}),
  };
}

export class ChrootExecutor implements Executor {
  readonly name = 'chroot';

  constructor(
    private readonly tools: ChrootTools,
    private readonly options: ExecutorOptions = {},
  ) {}

  run(request: RunRequest): Promise<RunOutcome> {
    return runWithLifecycle(request, this.options.tempDir, (context) => this.launch(context));
  }

  private async launch({ request, original, plan, hostFiles }: LaunchContext): Promise<Launched> {
    const nofile = planNofileLimit();
    const script = chrootScript(request, plan, hostFiles, this.tools, nofile.limit);
    const namespaces = ['--mount', '--propagation', 'private', '--pid', '--fork', '--kill-child', '--ipc', '--uts', ...(request.network === 'none' ? ['--net'] : [])];
    const end = await runHostProcess(
      { command: nofile.prefix[0] ?? this.tools.unshare, args: [...nofile.prefix.slice(1), ...(nofile.prefix.length > 0 ? [this.tools.unshare] : []), ...namespaces, '--', '/bin/sh', '-c', script, 'build-image-run'], env: hostEnv() },
      original,
      original.signal,
      killUnshare,
    );
    return { end, reportsSignal: true };
  }
}

/**
 * Kills unshare and the namespace's init (its child) and waits until init is gone: init's exit waits for every
 * other process of the pid namespace, so nothing of the run outlives this.
 */
async function killUnshare(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const init = await childrenOf(child.pid);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (const pid of init) signalQuietly(pid);
  child.kill('SIGKILL');
  await exited;
  await Promise.all(init.map((pid) => gone(pid)));
}

async function childrenOf(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.split(' ').filter(Boolean).map(Number);
}

function signalQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Resolves once `pid` has exited (gone from /proc, or a zombie waiting to be reaped). */
async function gone(pid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    if (stat === undefined || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return;
    await delay(10);
  }
}
