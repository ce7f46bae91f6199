/**
 * The executor contract: run one process in an isolated rootfs and report how it ended.
 */
import type { Readable, Writable } from 'node:stream';

export type ExecutorName = 'crun' | 'runc' | 'chroot';
export type ExecutorChoice = 'auto' | ExecutorName;

/** `none`: a fresh network namespace holding only `lo` (up); `host`: the host's network namespace. */
export type NetworkMode = 'none' | 'host';

/** Numeric credentials the process runs with (see resolveRunUser for USER values). */
export interface RunUser {
  readonly uid: number;
  readonly gid: number;
  readonly additionalGids?: readonly number[];
}

/** A host path bound into the container. `readonly` defaults to false. */
export interface BindMount {
  readonly type: 'bind';
  readonly source: string;
  /** Absolute path inside the container. */
  readonly target: string;
  readonly readonly?: boolean;
}

/** A fresh tmpfs. `size` in bytes (default: the kernel's, half the RAM); `mode` default 0o1777 as tmpfs has. */
export interface TmpfsMount {
  readonly type: 'tmpfs';
  readonly target: string;
  readonly size?: number;
  readonly mode?: number;
}

export type RunMount = BindMount | TmpfsMount;

/** Where output goes: a stream (never ended by the executor) or a callback per chunk. */
export type OutputSink = Writable | ((chunk: Buffer) => void);

export interface RunRequest {
  /** Absolute path of the container's root directory (e.g. PreparedRootfs.root). */
  readonly rootfs: string;
  /** argv; args[0] is looked up in the container's PATH (from `env`) when it has no slash. */
  readonly args: readonly string[];
  /** `KEY=value` entries, exactly the process's environment (nothing is inherited from the host). */
  readonly env: readonly string[];
  /** Absolute working directory inside the container; it must exist (WORKDIR creates it). Default `/`. */
  readonly cwd?: string;
  /** Default root (0:0). */
  readonly user?: RunUser;
  /** Mounted in order, after the executor's own (/proc, /dev, /sys, /etc/hosts, /etc/resolv.conf). */
  readonly mounts?: readonly RunMount[];
  /** Default `none`. */
  readonly network?: NetworkMode;
  /** Default DEFAULT_HOSTNAME, as BuildKit names its RUN containers. */
  readonly hostname?: string;
  /** Fed to the process's stdin; without it stdin is /dev/null. */
  readonly stdin?: Buffer | string | Readable;
  /** Without a sink the output is discarded. */
  readonly stdout?: OutputSink;
  readonly stderr?: OutputSink;
  /** Aborting kills the whole process tree; run() then rejects with ExecutorAbortedError. */
  readonly signal?: AbortSignal;
}

export interface RunOutcome {
  /** The process's exit status; 128 + n when it was killed by signal n (as shells and runtimes report it). */
  readonly exitCode: number;
  /** The signal that killed the process, when the executor can tell (the OCI runtimes report only 128 + n). */
  readonly signal?: NodeJS.Signals;
  /**
   * Layer-relative paths of mount targets the executor had to create in the rootfs and could not remove after
   * the run (normally none: empty stubs are removed and their parents' mtimes restored). A layer diff should
   * drop these if they are still empty.
   */
  readonly leftoverMountStubs: readonly string[];
}

export interface Executor {
  readonly name: ExecutorName;
  run(request: RunRequest): Promise<RunOutcome>;
}

export const DEFAULT_HOSTNAME = 'buildkitsandbox';
