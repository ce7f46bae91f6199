/**
 * Picks the executor for `--executor=auto|crun|runc|chroot`: auto prefers crun (fastest start), then runc, then
 * the built-in chroot executor.
 */
import { hybridCgroup2Mounts } from './cgroup-mounts.js';
import { ChrootExecutor, findChrootTools } from './chroot-executor.js';
import { ExecutorUnavailableError } from './errors.js';
import { findOnPath } from './host-tools.js';
import { findOciRuntime, OciRuntimeExecutor, type ExecutorOptions, type OciRuntimeName } from './oci-executor.js';
import type { Executor, ExecutorChoice } from './types.js';

export const EXECUTOR_CHOICES: readonly ExecutorChoice[] = ['auto', 'crun', 'runc', 'chroot'];

export function selectExecutor(choice: ExecutorChoice, options: ExecutorOptions = {}): Executor {
  if (choice === 'auto') {
    for (const name of ['crun', 'runc'] as const) {
      const executor = ociExecutor(name, options);
      if (!(executor instanceof ExecutorUnavailableError)) return executor;
    }
    const chroot = chrootExecutor(options);
    if (chroot instanceof ExecutorUnavailableError) throw new ExecutorUnavailableError('auto', `neither crun nor runc is on PATH, and ${chroot.message}`);
    return chroot;
  }
  const executor = choice === 'chroot' ? chrootExecutor(options) : ociExecutor(choice, options);
  if (executor instanceof ExecutorUnavailableError) throw executor;
  return executor;
}

function ociExecutor(name: OciRuntimeName, options: ExecutorOptions): Executor | ExecutorUnavailableError {
  const runtime = findOciRuntime(name);
  if (runtime === undefined) return new ExecutorUnavailableError(name, `'${name}' is not on PATH (Debian: apt-get install ${name})`);
  // On a hybrid cgroup host crun is started in a mount namespace without the cgroup2 mount (see cgroup-mounts.ts).
  if (name === 'crun' && hybridCgroup2Mounts().length > 0 && (findOnPath('unshare') === undefined || findOnPath('umount') === undefined)) {
    return new ExecutorUnavailableError(name, 'this host has hybrid cgroups, where crun needs util-linux unshare and umount, which are not on PATH');
  }
  return new OciRuntimeExecutor(runtime, options);
}

function chrootExecutor(options: ExecutorOptions): Executor | ExecutorUnavailableError {
  const tools = findChrootTools();
  if ('missing' in tools) return new ExecutorUnavailableError('chroot', `the chroot executor needs ${tools.missing.join(', ')} on PATH (Debian: util-linux, coreutils, mount)`);
  return new ChrootExecutor(tools, options);
}
