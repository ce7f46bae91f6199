import { ParseErrorCode } from '../errors.js';
import { requireAtLeastOne } from './argument-rules.js';
import { readCommandLine } from './command-line.js';
import { parseFlags, type FlagSpec } from './flags.js';
import { goQuote } from '../go-quote.js';
import { parseGoDuration } from './go-duration.js';
import { numErrorMessage, parseGoInt } from './go-strconv.js';
import { spanRange, type Converter, type InstructionRequest } from './request.js';
import type { DurationFlag, Located } from './types.js';

const healthcheckFlags: FlagSpec = {
  interval: 'string',
  timeout: 'string',
  'start-period': 'string',
  'start-interval': 'string',
  retries: 'string',
};

/** Docker's `container.MinimumDuration`. */
const minimumNanoseconds = 1_000_000;

/** A duration flag as BuildKit's `parseOptInterval` reads it: empty or 0 means "default", else at least 1ms. */
function readInterval(request: InstructionRequest, name: string, flag: Located | undefined): DurationFlag | undefined {
  if (flag === undefined || flag.value === '') return undefined;
  const parsed = parseGoDuration(flag.value);
  if (!parsed.ok) {
    request.problems.addFlag(ParseErrorCode.InvalidFlagValue, parsed.message, flag.range);
    return undefined;
  }
  if (parsed.nanoseconds !== 0 && parsed.nanoseconds < minimumNanoseconds) {
    request.problems.addFlag(ParseErrorCode.InvalidFlagValue, `Interval ${goQuote(name)} cannot be less than 1ms`, flag.range);
    return undefined;
  }
  return { text: flag.value, nanoseconds: parsed.nanoseconds, range: flag.range };
}

function readRetries(request: InstructionRequest, flag: Located | undefined): Located<number> | undefined {
  if (flag === undefined || flag.value === '') return undefined;
  const parsed = parseGoInt(flag.value, 32);
  if (!parsed.ok) {
    request.problems.addFlag(ParseErrorCode.InvalidFlagValue, numErrorMessage('ParseInt', flag.value, parsed.reason), flag.range);
    return undefined;
  }
  if (parsed.value < 0) {
    request.problems.addFlag(ParseErrorCode.InvalidFlagValue, `--retries cannot be negative (${parsed.value})`, flag.range);
    return undefined;
  }
  return { value: parsed.value, range: flag.range };
}

/**
 * HEALTHCHECK NONE (nothing may follow; like BuildKit, flags are not read) or HEALTHCHECK [flags] CMD command.
 * The type word is case-insensitive.
 */
export const convertHealthcheck: Converter = (request) => {
  const { node, args } = request;
  if (!requireAtLeastOne(request, 'HEALTHCHECK', args)) return undefined;
  const typeWord = args[0];
  const type = typeWord.value.toUpperCase();
  const rest = args.slice(1);
  const base = { kind: 'HEALTHCHECK', node, range: node.range } as const;

  if (type === 'NONE') {
    if (rest.length > 0) {
      request.problems.add(
        ParseErrorCode.InvalidArguments,
        'HEALTHCHECK NONE takes no arguments',
        spanRange(rest[0].range, rest[rest.length - 1].range),
      );
      return undefined;
    }
    return { ...base, healthcheck: { type: 'NONE' } };
  }

  const flags = parseFlags(request, healthcheckFlags);
  if (type !== 'CMD') {
    request.problems.add(ParseErrorCode.InvalidArguments, `Unknown type ${goQuote(type)} in HEALTHCHECK (try CMD)`, typeWord.range);
  } else if (rest.length === 0) {
    request.problems.add(ParseErrorCode.MissingArguments, 'Missing command after HEALTHCHECK CMD', node.range);
  }
  return {
    ...base,
    healthcheck: {
      type: 'CMD',
      command: readCommandLine(node.json, rest),
      interval: readInterval(request, 'interval', flags.string('interval')),
      timeout: readInterval(request, 'timeout', flags.string('timeout')),
      startPeriod: readInterval(request, 'start-period', flags.string('start-period')),
      startInterval: readInterval(request, 'start-interval', flags.string('start-interval')),
      retries: readRetries(request, flags.string('retries')),
    },
  };
};
