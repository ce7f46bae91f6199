/**
 * Spawns the process that hosts a container (the runtime, or unshare), wires its stdio to the request's
 * sinks and turns an abort into the executor's kill procedure. Never rejects for an abort: the caller cleans
 * up first, then throws.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { Readable } from 'node:stream';
import { ExecutorStartError } from './errors.js';
import type { OutputSink, RunRequest } from './types.js';

export interface HostCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

export interface ProcessEnd {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly aborted: boolean;
}

/** The environment the host-side helpers run with: nothing of the caller's but PATH. */
export function hostEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
}

export function runHostProcess(
  host: HostCommand,
  io: Pick<RunRequest, 'stdin' | 'stdout' | 'stderr'>,
  signal: AbortSignal | undefined,
  killTree: (child: ChildProcess) => Promise<void>,
): Promise<ProcessEnd> {
  return new Promise((resolve, reject) => {
    const stdio: StdioOptions = [io.stdin === undefined ? 'ignore' : 'pipe', io.stdout === undefined ? 'ignore' : 'pipe', io.stderr === undefined ? 'ignore' : 'pipe'];
    const child = spawn(host.command, host.args, { env: host.env, stdio });
    let killing: Promise<void> | undefined;
    let settled = false;
    const onAbort = () => {
      killing ??= killTree(child).catch(() => undefined);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();

    child.once('error', (error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      reject(new ExecutorStartError(`${host.command}: ${error.message}`, { cause: error }));
    });
    child.once('close', (code, endSignal) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void (killing ?? Promise.resolve()).then(() => resolve({ code, signal: endSignal, aborted: killing !== undefined }));
    });
    feedStdin(child, io.stdin);
    drainTo(child.stdout, io.stdout);
    drainTo(child.stderr, io.stderr);
  });
}

function feedStdin(child: ChildProcess, stdin: RunRequest['stdin']): void {
  if (child.stdin === null || stdin === undefined) return;
  // The process may exit without reading its input: EPIPE is not an error of the run.
  child.stdin.on('error', () => undefined);
  if (stdin instanceof Readable) {
    stdin.on('error', () => child.stdin?.destroy());
    stdin.pipe(child.stdin);
  } else child.stdin.end(stdin);
}

function drainTo(stream: Readable | null, sink: OutputSink | undefined): void {
  if (stream === null || sink === undefined) return;
  if (typeof sink === 'function') stream.on('data', (chunk: Buffer) => sink(chunk));
  else stream.pipe(sink, { end: false });
}

/** The exit status shells and runtimes report: the code, or 128 + n for signal n. */
export function exitStatus(end: ProcessEnd, signalNumbers: Record<string, number>): number {
  if (end.code !== null) return end.code;
  return 128 + (end.signal !== null ? signalNumbers[end.signal] ?? 0 : 0);
}
