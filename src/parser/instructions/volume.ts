import { ParseErrorCode } from '../errors.js';
import { requireAtLeastOne } from './argument-rules.js';
import { noFlags, parseFlags } from './flags.js';
import type { Converter } from './request.js';
import type { Located } from './types.js';

/** VOLUME path... or VOLUME ["path", ...]: each path trimmed, none may be empty. */
export const convertVolume: Converter = (request) => {
  const { node, args } = request;
  parseFlags(request, noFlags);
  if (!requireAtLeastOne(request, 'VOLUME', args)) return undefined;
  const volumes: Located[] = [];
  for (const arg of args) {
    const value = arg.value.trim();
    if (value === '') request.problems.add(ParseErrorCode.InvalidArguments, 'VOLUME specified can not be an empty string', arg.range);
    else volumes.push({ value, range: arg.range });
  }
  return { kind: 'VOLUME', node, range: node.range, volumes };
};
