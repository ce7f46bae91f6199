import { ParseErrorCode } from '../errors.js';
import { requireAtLeastOne } from './argument-rules.js';
import { noFlags, parseFlags } from './flags.js';
import type { Converter } from './request.js';

/** SHELL ["executable", "param"...]: JSON form only, not empty. */
export const convertShell: Converter = (request) => {
  const { node, args } = request;
  parseFlags(request, noFlags);
  if (!requireAtLeastOne(request, 'SHELL', args)) return undefined;
  if (!node.json) {
    request.problems.add(ParseErrorCode.InvalidArguments, 'SHELL requires the arguments to be in JSON form', args[0].range);
    return undefined;
  }
  return { kind: 'SHELL', node, range: node.range, shell: args.map((arg) => arg.value) };
};
