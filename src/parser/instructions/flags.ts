import { ParseErrorCode } from '../errors.js';
import type { SyntaxFlag } from '../syntax-tree.js';
import type { InstructionRequest } from './request.js';
import { withSuggestion } from './suggest.js';
import type { Located } from './types.js';

/**
 * Per-instruction flag checking, BuildKit's `BFlags`: each instruction declares the flags it takes; a flag it does
 * not declare, a repeated single-use flag, a boolean with a non-boolean value or a valued flag without `=value` is
 * an error. Unlike BuildKit, every flag is checked, not only up to the first problem.
 */

/** `bool`: `--x`, `--x=true|false`; `string`: `--x=value`, once; `strings`: `--x=value`, repeatable. */
export type FlagType = 'bool' | 'string' | 'strings';
export type FlagSpec = Readonly<Record<string, FlagType>>;

export interface ParsedFlags {
  /** The value of a `string` flag, when given. */
  string(name: string): Located | undefined;
  /** Every value of a `strings` flag, in order. */
  strings(name: string): Located[];
  /** A `bool` flag: undefined when not given. */
  bool(name: string): boolean | undefined;
  /** Names of the declared flags that were given, in first-use order. */
  readonly used: readonly string[];
}

const noFlagsGiven: ParsedFlags = {
  string: () => undefined,
  strings: () => [],
  bool: () => undefined,
  used: [],
};

export function parseFlags(request: InstructionRequest, spec: FlagSpec): ParsedFlags {
  if (request.node.flags.length === 0) return noFlagsGiven;
  const values = new Map<string, Located[]>();
  const booleans = new Map<string, boolean>();
  const used: string[] = [];

  for (const flag of request.node.flags) {
    // A bare `--` ends the flags (the syntax layer normally drops it).
    if (flag.name === '' && flag.value === undefined) break;
    const shown = `--${flag.name}`;
    const type = Object.hasOwn(spec, flag.name) ? spec[flag.name] : undefined;
    if (type === undefined) {
      request.problems.addFlag(
        ParseErrorCode.UnknownFlag,
        withSuggestion(`unknown flag: ${shown}`, flag.name, Object.keys(spec), true),
        flag.range,
      );
      continue;
    }
    if (used.includes(flag.name) && type !== 'strings') {
      request.problems.addFlag(ParseErrorCode.DuplicateFlag, `duplicate flag specified: ${shown}`, flag.range);
      continue;
    }
    if (!used.includes(flag.name)) used.push(flag.name);
    if (type === 'bool') {
      const value = readBool(request, flag, shown);
      if (value !== undefined) booleans.set(flag.name, value);
      continue;
    }
    if (flag.value === undefined) {
      request.problems.addFlag(ParseErrorCode.InvalidFlagValue, `missing a value on flag: ${shown}`, flag.range);
      continue;
    }
    const list = values.get(flag.name) ?? [];
    list.push({ value: flag.value, range: flag.range });
    values.set(flag.name, list);
  }

  return {
    string: (name) => values.get(name)?.[0],
    strings: (name) => values.get(name) ?? [],
    bool: (name) => booleans.get(name),
    used,
  };
}

function readBool(request: InstructionRequest, flag: SyntaxFlag, shown: string): boolean | undefined {
  if (flag.value === undefined) return true;
  if (flag.value === '') {
    request.problems.addFlag(ParseErrorCode.InvalidFlagValue, `missing a value on flag: ${shown}`, flag.range);
    return undefined;
  }
  const lower = flag.value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  request.problems.addFlag(
    ParseErrorCode.InvalidFlagValue,
    `expecting boolean value for flag ${shown}, not: ${flag.value}`,
    flag.range,
  );
  return undefined;
}

/** For instructions that take no flags at all. */
export const noFlags: FlagSpec = {};
