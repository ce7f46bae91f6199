import { normalizeWorkdir } from './workdir.js';
import type { ImageConfig, StageConfigState } from './types.js';

/** BuildKit's `system.DefaultPathEnv`. */
export function defaultPathEnv(os: string | undefined): string {
  return os === 'windows'
    ? 'c:\\Windows\\System32;c:\\Windows;C:\\Windows\\System32\\WindowsPowerShell\\v1.0'
    : '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
}

/** BuildKit's `emptyImage`: the config of `FROM scratch`: working directory `/` and a default PATH. */
export function emptyImageConfig(os = 'linux'): ImageConfig {
  return { os, config: { Env: [`PATH=${defaultPathEnv(os)}`], WorkingDir: '/' }, history: [] };
}

function clone(image: ImageConfig): ImageConfig {
  return structuredClone(image);
}

/**
 * A stage's starting config from its base (an image's config, another stage's final config, or undefined for
 * scratch), as BuildKit prepares it: a copy without `OnBuild` (those triggers are returned, to run first in the
 * stage, for an image base), PATH added when the base has none (except on Windows), and the working directory
 * normalised. Also returns the per-stage state `applyInstructionToConfig` needs.
 */
export function startStageConfig(base: ImageConfig | undefined, os = base?.os ?? 'linux'): {
  image: ImageConfig;
  triggers: string[];
  stage: StageConfigState;
} {
  const image = base === undefined ? emptyImageConfig(os) : clone(base);
  image.os ??= os;
  const triggers = image.config.OnBuild ?? [];
  delete image.config.OnBuild;
  const env = image.config.Env ?? [];
  if (image.os !== 'windows' && !env.some((entry) => entry === 'PATH' || entry.startsWith('PATH='))) {
    image.config.Env = [...env, `PATH=${defaultPathEnv(image.os)}`];
  }
  const workdir = image.config.WorkingDir;
  if (workdir !== undefined && workdir !== '') image.config.WorkingDir = normalizeWorkdir(workdir, workdir);
  return { image, triggers, stage: { cmdSet: false } };
}
