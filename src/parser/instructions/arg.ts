import { ParseErrorCode } from '../errors.js';
import { requireAtLeastOne } from './argument-rules.js';
import { noFlags, parseFlags } from './flags.js';
import type { Converter } from './request.js';
import type { ArgDeclaration } from './types.js';

/**
 * ARG name[=default] ...: each quote-aware word declares one build argument, split at its first `=`. The default
 * keeps its quotes for later processing. As in BuildKit, the only check on a name is that it is not blank.
 */
export const convertArg: Converter = (request) => {
  const { node, args } = request;
  parseFlags(request, noFlags);
  if (!requireAtLeastOne(request, 'ARG', args)) return undefined;
  const declarations: ArgDeclaration[] = [];
  for (const arg of args) {
    const equals = arg.value.indexOf('=');
    const name = equals === -1 ? arg.value : arg.value.slice(0, equals);
    if (name === '') {
      request.problems.add(ParseErrorCode.InvalidArguments, 'ARG names can not be blank', arg.range);
      continue;
    }
    declarations.push({
      name,
      defaultValue: equals === -1 ? undefined : arg.value.slice(equals + 1),
      range: arg.range,
    });
  }
  return { kind: 'ARG', node, range: node.range, args: declarations };
};
