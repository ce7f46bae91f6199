import { CodedError } from '../errors/index.js';
/**
 * Stable error codes of the executor module. Tools may switch on them; never rename one, only add.
 */
export const ExecutorErrorCode = {
  /** The executor asked for (crun, runc, the chroot tools) is not installed. */
  Unavailable: 'EXECUTOR_UNAVAILABLE',
  /** The run was cancelled through its AbortSignal; the process tree is gone. */
  Aborted: 'EXECUTOR_ABORTED',
  /** The request itself is malformed (empty argv, relative cwd, an env entry without `=`, …). */
  InvalidRequest: 'EXECUTOR_INVALID_REQUEST',
  /** USER names a user or group the image's /etc/passwd or /etc/group does not have. */
  UnknownUser: 'EXECUTOR_UNKNOWN_USER',
  /** The container process could not be started at all (the runtime or a tool failed to spawn). */
  StartFailed: 'EXECUTOR_START_FAILED',
  /** Preparing or releasing the rootfs of a RUN step failed (overlay mount, copy, unmount). */
  RootfsFailed: 'EXECUTOR_ROOTFS_FAILED',
  /** No user namespace could be made for a rootless build (user namespaces disabled, unshare missing or failing). */
  UserNamespaceFailed: 'EXECUTOR_USER_NAMESPACE_FAILED',
} as const;

export type ExecutorErrorCode = (typeof ExecutorErrorCode)[keyof typeof ExecutorErrorCode];

/** Base class of every failure the executor module reports; `code` is stable, `message` is for people. */
export class ExecutorError extends CodedError<ExecutorErrorCode> {
  override readonly name: string = 'ExecutorError';
}

/** `selectExecutor` was asked for an executor whose tools are not on PATH. */
export class ExecutorUnavailableError extends ExecutorError {
  override readonly name = 'ExecutorUnavailableError';
  readonly choice: string;
  constructor(choice: string, detail: string) {
    super(ExecutorErrorCode.Unavailable, `executor '${choice}' is unavailable: ${detail}`);
    this.choice = choice;
  }
}

/**
 * The run was aborted. Executors reject with this (never resolve) once the signal fires; by then the process
 * tree is killed, the runtime's state, the bundle and the mount stubs are removed. `cause` is the signal's reason.
 */
export class ExecutorAbortedError extends ExecutorError {
  override readonly name = 'ExecutorAbortedError';
  constructor(reason?: unknown) {
    super(ExecutorErrorCode.Aborted, 'the run was aborted', { cause: reason });
  }
}

export class InvalidRunRequestError extends ExecutorError {
  override readonly name = 'InvalidRunRequestError';
  constructor(detail: string) {
    super(ExecutorErrorCode.InvalidRequest, `invalid run request: ${detail}`);
  }
}

/** USER (or `uid:gid`) names an entry the image does not have. */
export class UnknownUserError extends ExecutorError {
  override readonly name = 'UnknownUserError';
  readonly spec: string;
  constructor(spec: string, detail: string) {
    super(ExecutorErrorCode.UnknownUser, `unable to find ${detail}: no matching entries in the image's ${detail.startsWith('group') ? 'group' : 'passwd'} file (USER ${spec})`);
    this.spec = spec;
  }
}

export class ExecutorStartError extends ExecutorError {
  override readonly name = 'ExecutorStartError';
  constructor(detail: string, options?: { cause?: unknown }) {
    super(ExecutorErrorCode.StartFailed, `could not start the container: ${detail}`, options);
  }
}

export class RunRootfsError extends ExecutorError {
  override readonly name = 'RunRootfsError';
  constructor(detail: string, options?: { cause?: unknown }) {
    super(ExecutorErrorCode.RootfsFailed, detail, options);
  }
}

export class UserNamespaceError extends ExecutorError {
  override readonly name = 'UserNamespaceError';

  constructor(detail: string, options?: { cause?: unknown }) {
    super(ExecutorErrorCode.UserNamespaceFailed, `cannot create a user namespace: ${detail}`, options);
  }
}
