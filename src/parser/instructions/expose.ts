import { requireAtLeastOne } from './argument-rules.js';
import { noFlags, parseFlags } from './flags.js';
import type { Converter } from './request.js';

/** EXPOSE port[/proto]...: kept as written and in source order; port specs are checked after expansion. */
export const convertExpose: Converter = (request) => {
  const { node, args } = request;
  parseFlags(request, noFlags);
  if (!requireAtLeastOne(request, 'EXPOSE', args)) return undefined;
  return { kind: 'EXPOSE', node, range: node.range, ports: args.map((arg) => ({ value: arg.value, range: arg.range })) };
};
