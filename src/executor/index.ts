/**
 * Running RUN steps: one Executor interface with an OCI runtime implementation (crun or runc) and a built-in
 * chroot fallback (util-linux unshare), USER resolution against the image's files, the overlay (or copy)
 * rootfs whose changes become the step's layer, and the user namespace a rootless build runs in. The only
 * module other folders import from.
 */
export {
  DEFAULT_HOSTNAME,
  type BindMount,
  type Executor,
  type ExecutorChoice,
  type ExecutorName,
  type NetworkMode,
  type OutputSink,
  type RunMount,
  type RunOutcome,
  type RunRequest,
  type RunUser,
  type TmpfsMount,
} from './types.js';
export { selectExecutor, EXECUTOR_CHOICES } from './select-executor.js';
export { OciRuntimeExecutor, findOciRuntime, type ExecutorOptions, type OciRuntime, type OciRuntimeName } from './oci-executor.js';
export { ChrootExecutor, findChrootTools } from './chroot-executor.js';
export { buildOciSpec, DEFAULT_CAPABILITIES, DEFAULT_RLIMITS, MASKED_PATHS, READONLY_PATHS, OCI_VERSION, type OciSpec, type OciMount, type SpecInput } from './oci-spec.js';
export { possibleMountStubPaths } from './mount-plan.js';
export { resolveRunUser, readPasswd, readGroups, findUser, findGroup, type PasswdEntry, type GroupEntry } from './user-database.js';
export { prepareRunRootfs, type PrepareRunRootfsOptions, type PreparedRootfs, type RootfsMode } from './run-rootfs.js';
export {
  spawnInUserNamespace,
  type SpawnInUserNamespaceOptions,
  type UserNamespaceChild,
  type UserNamespaceMapping,
  type UserNamespaceStdio,
} from './user-namespace.js';
export { inChildUserNamespace, type IdRange } from './current-user-namespace.js';
export {
  ExecutorErrorCode,
  ExecutorError,
  ExecutorUnavailableError,
  ExecutorAbortedError,
  InvalidRunRequestError,
  UnknownUserError,
  ExecutorStartError,
  RunRootfsError,
  UserNamespaceError,
} from './errors.js';
