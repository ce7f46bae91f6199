import type { ArgInstruction } from '../../parser/index.js';
import { formatPlatform, type Platform } from './platform.js';
import { WordExpander } from './word-expander.js';

/** The automatic ARGs of the global scope, in BuildKit's order. */
export const automaticArgNames: readonly string[] = [
  'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT',
  'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT',
  'TARGETSTAGE',
];

/**
 * BuildKit's `defaultArgs`: the platform ARGs of the build and target platforms and TARGETSTAGE (the target's
 * name, `default` when unnamed). A `--build-arg` of the same name replaces the automatic value.
 */
export function automaticArgs(
  buildPlatform: Platform,
  targetPlatform: Platform,
  targetStage: string,
  buildArgs: ReadonlyMap<string, string>,
): Map<string, string> {
  const values: Array<[string, string]> = [
    ['BUILDPLATFORM', formatPlatform(buildPlatform)],
    ['BUILDOS', buildPlatform.os],
    ['BUILDARCH', buildPlatform.architecture],
    ['BUILDVARIANT', buildPlatform.variant ?? ''],
    ['TARGETPLATFORM', formatPlatform(targetPlatform)],
    ['TARGETOS', targetPlatform.os],
    ['TARGETARCH', targetPlatform.architecture],
    ['TARGETVARIANT', targetPlatform.variant ?? ''],
    ['TARGETSTAGE', targetStage === '' ? 'default' : targetStage],
  ];
  return new Map(values.map(([name, value]) => [name, buildArgs.get(name) ?? value]));
}

export interface GlobalScope {
  /** Automatic ARGs, then each declared global ARG that has a value (a later declaration replaces an earlier one). */
  values: Map<string, string>;
  /** Names declared by ARGs before the first FROM. */
  declared: Set<string>;
}

/**
 * BuildKit's `buildMetaArgs`: each ARG before the first FROM takes its `--build-arg` value as given, or else its
 * default expanded with the global scope so far; an ARG with neither stays unset.
 */
export function resolveGlobalArgs(
  instructions: readonly ArgInstruction[],
  automatic: ReadonlyMap<string, string>,
  buildArgs: ReadonlyMap<string, string>,
  file: string,
  escapeChar: '\\' | '`',
): GlobalScope {
  const values = new Map(automatic);
  const declared = new Set<string>();
  for (const instruction of instructions) {
    for (const arg of instruction.args) {
      declared.add(arg.name);
      let value = buildArgs.get(arg.name);
      if (value === undefined && arg.defaultValue !== undefined) {
        const expander = new WordExpander((name) => values.get(name), escapeChar, file, instruction.range);
        value = expander.word(arg.defaultValue);
      }
      if (value !== undefined) {
        values.delete(arg.name);
        values.set(arg.name, value);
      }
    }
  }
  return { values, declared };
}
