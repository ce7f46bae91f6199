/**
 * Image configuration: applying Dockerfile metadata instructions to an OCI image config as BuildKit does, with
 * the history entries BuildKit writes. Pure: no I/O.
 */
export { applyInstructionToConfig, addEnv, type ApplyOptions, type ApplyResult } from './apply.js';
export { startStageConfig, emptyImageConfig, defaultPathEnv } from './start-stage.js';
export { commandArgs, defaultShell, isSingleHeredoc, runCommand, withShell, type RunCommand, type RunInlineFile } from './command-line.js';
export { normalizeWorkdir, cleanPath, joinPath } from './workdir.js';
export { parsePortSpec, parsePortSpecs, PortSpecError } from './ports.js';
export { isValidStopSignal } from './stop-signal.js';
export { historyComment, historyEntry, runHistoryText, copyHistoryText, healthcheckHistoryText, redactUrlCredentials } from './history.js';
export { goDuration, goList, goQuotedList } from './go-format.js';
export type { ContainerConfig, HealthcheckConfig, HistoryEntry, ImageConfig, StageConfigState } from './types.js';
