import type { ExpandedOf } from '../plan/index.js';
import { goDuration, goList } from './go-format.js';
import type { HealthcheckConfig, HistoryEntry } from './types.js';

/** The comment BuildKit puts on every history entry of a Dockerfile build. */
export const historyComment = 'buildkit.dockerfile.v0';

/**
 * BuildKit's `commitToHistory`: steps that run in the build (RUN, COPY, ADD) get ` # buildkit` appended; steps
 * without a layer are marked `empty_layer`.
 */
export function historyEntry(createdBy: string, options: { layer: boolean; buildkitSuffix?: boolean }): HistoryEntry {
  const entry: HistoryEntry = { created_by: options.buildkitSuffix ? `${createdBy} # buildkit` : createdBy, comment: historyComment };
  if (!options.layer) entry.empty_layer = true;
  return entry;
}

/** `RUN |2 A=1 B=2 /bin/sh -c make`: the declared ARGs (count, then `K=V`), then the argv joined by spaces. */
export function runHistoryText(args: readonly string[], buildArgs: ReadonlyArray<{ name: string; value: string }>): string {
  const prefix = buildArgs.length === 0 ? [] : [`|${buildArgs.length}`, ...buildArgs.map(({ name, value }) => `${name}=${value}`)];
  return `RUN ${[...prefix, ...args].join(' ')}`;
}

/** `https://user:secret@host/x` → `https://host/x` wherever a URL with credentials appears in a text. */
export function redactUrlCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1');
}

/** `COPY --parents --chown=u --chmod=644 src... <<heredoc... dest` with the expanded values. */
export function copyHistoryText(step: ExpandedOf<'COPY'> | ExpandedOf<'ADD'>): string {
  const parts: string[] = [step.kind];
  if (step.kind === 'COPY' && step.parents) parts.push('--parents');
  if (step.chown !== undefined && step.chown !== '') parts.push(`--chown=${step.chown}`);
  if (step.chmod !== undefined && step.chmod !== '') parts.push(`--chmod=${step.chmod}`);
  parts.push(...step.sources, ...step.heredocs.map((file) => `<<${file.name}`), step.destination);
  return redactUrlCredentials(parts.join(' '));
}

/** Go's `%+v` of Docker's HealthcheckConfig: `{Test:[CMD-SHELL curl x] Interval:30s Timeout:0s ... Retries:3}`. */
export function healthcheckHistoryText(healthcheck: HealthcheckConfig): string {
  return `HEALTHCHECK {Test:${goList(healthcheck.Test)} Interval:${goDuration(healthcheck.Interval ?? 0)} Timeout:${goDuration(
    healthcheck.Timeout ?? 0,
  )} StartPeriod:${goDuration(healthcheck.StartPeriod ?? 0)} StartInterval:${goDuration(healthcheck.StartInterval ?? 0)} Retries:${
    healthcheck.Retries ?? 0
  }}`;
}
