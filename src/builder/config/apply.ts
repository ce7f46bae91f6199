import type { SourceRange } from '../../parser/index.js';
import { BuildErrorCode, InstructionValueError, type BuildErrorCode as Code } from '../errors.js';
import type { ExpandedInstruction, ExpandedOf } from '../plan/index.js';
import { commandArgs, runCommand, withShell, type RunCommand } from './command-line.js';
import { goList, goQuotedList } from './go-format.js';
import { copyHistoryText, healthcheckHistoryText, historyEntry, runHistoryText } from './history.js';
import { parsePortSpecs, PortSpecError } from './ports.js';
import { isValidStopSignal } from './stop-signal.js';
import type { ContainerConfig, HealthcheckConfig, HistoryEntry, ImageConfig, StageConfigState } from './types.js';
import { normalizeWorkdir } from './workdir.js';

export interface ApplyOptions {
  /** The Dockerfile's name, for error locations (default `Dockerfile`). */
  file?: string;
  /** Where errors are reported; default the instruction (pass the FROM line for ONBUILD triggers). */
  location?: SourceRange;
}

export interface ApplyResult {
  /** The new image config (the input is not changed); `history` already holds the new entry. */
  image: ImageConfig;
  /** The entry this step added, undefined for ONBUILD (which BuildKit does not record). */
  history: HistoryEntry | undefined;
  stage: StageConfigState;
  /** For RUN: what to execute. */
  run: RunCommand | undefined;
}

/** BuildKit's `addEnv`: replace the entry of the same key in place, or append. */
export function addEnv(env: readonly string[] | undefined, key: string, value: string): string[] {
  const out = [...(env ?? [])];
  const index = out.findIndex((entry) => (entry.includes('=') ? entry.slice(0, entry.indexOf('=')) : entry) === key);
  if (index === -1) out.push(`${key}=${value}`);
  else out[index] = `${key}=${value}`;
  return out;
}

function healthcheckConfig(step: ExpandedOf<'HEALTHCHECK'>): HealthcheckConfig {
  const { healthcheck } = step;
  if (healthcheck.type === 'NONE') return { Test: ['NONE'] };
  const config: HealthcheckConfig = {
    Test: healthcheck.command.form === 'exec' ? ['CMD', ...healthcheck.command.args] : ['CMD-SHELL', healthcheck.command.text],
  };
  if (healthcheck.interval?.nanoseconds) config.Interval = healthcheck.interval.nanoseconds;
  if (healthcheck.timeout?.nanoseconds) config.Timeout = healthcheck.timeout.nanoseconds;
  if (healthcheck.startPeriod?.nanoseconds) config.StartPeriod = healthcheck.startPeriod.nanoseconds;
  if (healthcheck.startInterval?.nanoseconds) config.StartInterval = healthcheck.startInterval.nanoseconds;
  if (healthcheck.retries?.value) config.Retries = healthcheck.retries.value;
  return config;
}

/** Sets a list field, or removes it when empty (Go's `omitempty`). */
function setList(config: ContainerConfig, field: 'Cmd' | 'Entrypoint', values: string[]): void {
  if (values.length === 0) delete config[field];
  else config[field] = values;
}

/**
 * Applies one expanded instruction to a stage's image config exactly as BuildKit's dispatchers do, and records
 * the history entry BuildKit writes. `stage` is BuildKit's per-stage tracking (start with `startStageConfig`).
 * Filesystem effects (RUN, COPY, ADD, WORKDIR's directory) are someone else's; this only describes them.
 */
export function applyInstructionToConfig(
  image: ImageConfig,
  step: ExpandedInstruction,
  stage: StageConfigState = { cmdSet: false },
  options: ApplyOptions = {},
): ApplyResult {
  const next: ImageConfig = structuredClone(image);
  const config = next.config;
  let nextStage = stage;
  let created: HistoryEntry | undefined;
  let run: RunCommand | undefined;
  const fail = (code: Code, detail: string, hint: string): InstructionValueError =>
    new InstructionValueError(code, detail, {
      location: { file: options.file ?? 'Dockerfile', range: options.location ?? step.instruction.range },
      hint,
    });

  switch (step.kind) {
    case 'ENV':
      for (const { key, value } of step.pairs) config.Env = addEnv(config.Env, key, value);
      created = historyEntry(`ENV${step.pairs.map(({ key, value }) => ` ${key}=${value}`).join('')}`, { layer: false });
      break;
    case 'LABEL':
      config.Labels = { ...(config.Labels ?? {}) };
      for (const { key, value } of step.pairs) config.Labels[key] = value;
      created = historyEntry(`LABEL${step.pairs.map(({ key, value }) => ` ${key}=${value}`).join('')}`, { layer: false });
      break;
    case 'ARG':
      created = historyEntry(`ARG ${step.args.map(({ name, value }) => (value === undefined ? name : `${name}=${value}`)).join(' ')}`, { layer: false });
      break;
    case 'WORKDIR': {
      const workdir = normalizeWorkdir(config.WorkingDir, step.path);
      config.WorkingDir = workdir;
      created = historyEntry(`WORKDIR ${workdir}`, { layer: workdir !== '/' });
      break;
    }
    case 'USER':
      config.User = step.user;
      created = historyEntry(`USER ${step.user}`, { layer: false });
      break;
    case 'VOLUME':
      config.Volumes = { ...(config.Volumes ?? {}) };
      for (const volume of step.volumes) {
        if (volume === '') {
          throw fail(BuildErrorCode.InvalidVolume, 'VOLUME specified can not be an empty string', 'A variable in VOLUME expanded to nothing; give it a value');
        }
        config.Volumes[volume] = {};
      }
      created = historyEntry(`VOLUME ${goList(step.volumes)}`, { layer: false });
      break;
    case 'STOPSIGNAL':
      if (!isValidStopSignal(step.signal)) {
        throw fail(BuildErrorCode.InvalidStopSignal, `invalid signal: ${step.signal}`, 'Use a signal name such as SIGTERM or SIGQUIT, or a non-zero signal number');
      }
      config.StopSignal = step.signal;
      created = historyEntry(`STOPSIGNAL ${step.signal}`, { layer: false });
      break;
    case 'EXPOSE': {
      let ports: string[];
      try {
        ports = parsePortSpecs(step.ports);
      } catch (error) {
        if (!(error instanceof PortSpecError)) throw error;
        throw fail(BuildErrorCode.InvalidPort, error.message, 'Write ports as PORT[/PROTO] or START-END[/PROTO], with tcp, udp or sctp');
      }
      config.ExposedPorts = { ...(config.ExposedPorts ?? {}) };
      for (const port of ports) config.ExposedPorts[port] = {};
      created = historyEntry(`EXPOSE ${goList(ports)}`, { layer: false });
      break;
    }
    case 'COPY':
    case 'ADD':
      created = historyEntry(copyHistoryText(step), { layer: true, buildkitSuffix: true });
      break;
    case 'RUN':
      run = runCommand(next, step.command, step.heredocs);
      created = historyEntry(runHistoryText(run.args, step.args), { layer: true, buildkitSuffix: true });
      break;
    case 'CMD': {
      const args = commandArgs(next, step.command);
      setList(config, 'Cmd', args);
      config.ArgsEscaped = true;
      nextStage = { ...stage, cmdSet: true };
      created = historyEntry(`CMD ${goQuotedList(args)}`, { layer: false });
      break;
    }
    case 'ENTRYPOINT': {
      const args = step.command.form === 'exec' ? [...step.command.args] : withShell(next, step.command.text);
      setList(config, 'Entrypoint', args);
      if (!stage.cmdSet) delete config.Cmd;
      created = historyEntry(`ENTRYPOINT ${goQuotedList(args)}`, { layer: false });
      break;
    }
    case 'HEALTHCHECK':
      config.Healthcheck = healthcheckConfig(step);
      created = historyEntry(healthcheckHistoryText(config.Healthcheck), { layer: false });
      break;
    case 'SHELL':
      config.Shell = [...step.shell];
      created = historyEntry(`SHELL ${goList(step.shell)}`, { layer: false });
      break;
    case 'MAINTAINER':
      next.author = step.maintainer;
      created = historyEntry(`MAINTAINER ${step.maintainer}`, { layer: false });
      break;
    case 'ONBUILD':
      config.OnBuild = [...(config.OnBuild ?? []), step.expression];
      break;
  }
  if (created !== undefined) next.history = [...next.history, created];
  return { image: next, history: created, stage: nextStage, run };
}
