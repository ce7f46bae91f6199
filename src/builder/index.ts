/**
 * The builder: a Dockerfile and a context in, an image out. `build` is the door; plan and config are its pure
 * halves, exported for tools that want to inspect a build without running it.
 */
export { build } from './build.js';
export { startBuild, type BuildRun } from './build-events.js';
export { BuildStepError, StepErrorCode } from './step-errors.js';
export { BuildError, BuildErrorCode, DockerfileInvalidError } from './errors.js';
export type { BuildOptions, BuildResult, OutputSpec, ProgressEvent, StepInfo, StepResult } from './types.js';
