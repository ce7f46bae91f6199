import { ParseErrorCode } from '../errors.js';
import { requireAtLeastOne } from './argument-rules.js';
import { noFlags, parseFlags } from './flags.js';
import { spanRange, type Converter, type InstructionRequest } from './request.js';
import type { KeyValuePair } from './types.js';

/**
 * ENV and LABEL, BuildKit's `parseKvps`: the syntax gives (key, value, "=") per `key=value` word, or
 * (key, value, "") for the old `KEY value` form. Keys and values stay as written, quotes and escapes included.
 */
function readPairs(request: InstructionRequest, instruction: 'ENV' | 'LABEL'): KeyValuePair[] | undefined {
  const { args } = request;
  parseFlags(request, noFlags);
  if (!requireAtLeastOne(request, instruction, args)) return undefined;
  if (args.length === 1) {
    request.problems.add(ParseErrorCode.MissingArguments, `${instruction} must have two arguments`, args[0].range);
    return undefined;
  }
  if (args.length % 3 !== 0) {
    request.problems.add(
      ParseErrorCode.InvalidArguments,
      `Bad input to ${instruction}, too many arguments`,
      spanRange(args[0].range, args[args.length - 1].range),
    );
    return undefined;
  }
  const pairs: KeyValuePair[] = [];
  for (let index = 0; index < args.length; index += 3) {
    const [key, value, delimiter] = args.slice(index, index + 3);
    const legacy = delimiter.value !== '=';
    if (key.value === '') {
      request.problems.add(ParseErrorCode.InvalidArguments, `${instruction} names can not be blank`, key.range);
      continue;
    }
    if (legacy && value.value === '') {
      request.problems.add(ParseErrorCode.MissingArguments, `${instruction} must have two arguments`, key.range);
      continue;
    }
    pairs.push({
      key: key.value,
      value: value.value,
      legacy,
      keyRange: key.range,
      valueRange: value.range,
      range: spanRange(key.range, value.range),
    });
  }
  return pairs;
}

export const convertEnv: Converter = (request) => {
  const pairs = readPairs(request, 'ENV');
  return pairs && { kind: 'ENV', node: request.node, range: request.node.range, pairs };
};

export const convertLabel: Converter = (request) => {
  const pairs = readPairs(request, 'LABEL');
  return pairs && { kind: 'LABEL', node: request.node, range: request.node.range, pairs };
};
