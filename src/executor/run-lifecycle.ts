/**
 * What every executor does around starting its process: check the request, make the run's private directory
 * (hosts, resolv.conf, bundle, state), place the mount targets, and afterwards remove the stubs and the
 * directory, whether the run succeeded, failed or was aborted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ExecutorAbortedError } from './errors.js';
import { writeHostFiles, type HostFiles } from './host-files.js';
import { planMounts, type MountPlan } from './mount-plan.js';
import { removeMountStubs } from './mount-stubs.js';
import { exitStatus, type ProcessEnd } from './process-run.js';
import { checkRequest, type CheckedRequest } from './run-request.js';
import type { RunOutcome, RunRequest } from './types.js';

export interface LaunchContext {
  readonly request: CheckedRequest;
  readonly original: RunRequest;
  readonly plan: MountPlan;
  readonly hostFiles: HostFiles;
  /** The run's private directory, removed afterwards. */
  readonly runDir: string;
}

export interface Launched {
  readonly end: ProcessEnd;
  /** Whether `end.signal` (or a status above 128) is the contained process's own signal. */
  readonly reportsSignal: boolean;
}

export async function runWithLifecycle(original: RunRequest, tempRoot: string | undefined, launch: (context: LaunchContext) => Promise<Launched>): Promise<RunOutcome> {
  const request = checkRequest(original);
  if (original.signal?.aborted) throw new ExecutorAbortedError(original.signal.reason);
  const runDir = await mkdtemp(path.join(tempRoot ?? os.tmpdir(), 'build-image-run-'));
  let plan: MountPlan | undefined;
  let leftoverMountStubs: string[] = [];
  let launched: Launched;
  try {
    const hostFiles = await writeHostFiles(runDir, request.hostname);
    plan = await planMounts(request.rootfs, request.mounts);
    launched = await launch({ request, original, plan, hostFiles, runDir });
  } finally {
    if (plan !== undefined) leftoverMountStubs = await removeMountStubs(request.rootfs, plan.stubs);
    await rm(runDir, { recursive: true, force: true });
  }
  if (launched.end.aborted) throw new ExecutorAbortedError(original.signal?.reason);
  const exitCode = exitStatus(launched.end, os.constants.signals);
  const signal = launched.reportsSignal && launched.end.signal !== null ? launched.end.signal : undefined;
  return { exitCode, ...(signal !== undefined ? { signal } : {}), leftoverMountStubs };
}
