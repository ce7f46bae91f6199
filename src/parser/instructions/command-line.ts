import type { SyntaxArgument } from '../syntax-tree.js';
import { noFlags, parseFlags } from './flags.js';
import type { Converter } from './request.js';
import type { CommandLine } from './types.js';

/** BuildKit's `handleJSONArgs`: exec form keeps the vector; shell form is the text (one argument, as the syntax gives it). */
export function readCommandLine(json: boolean, args: readonly SyntaxArgument[]): CommandLine {
  if (json) return { form: 'exec', args: args.map((arg) => arg.value) };
  return { form: 'shell', text: args.map((arg) => arg.value).join(' ') };
}

/** CMD: no flags; the command in either form (an empty one is allowed, as in BuildKit). */
export const convertCmd: Converter = (request) => {
  parseFlags(request, noFlags);
  return {
    kind: 'CMD',
    node: request.node,
    range: request.node.range,
    command: readCommandLine(request.node.json, request.args),
  };
};

/** ENTRYPOINT: as CMD; `ENTRYPOINT []` gives an empty exec vector, which resets the entrypoint. */
export const convertEntrypoint: Converter = (request) => {
  parseFlags(request, noFlags);
  return {
    kind: 'ENTRYPOINT',
    node: request.node,
    range: request.node.range,
    command: readCommandLine(request.node.json, request.args),
  };
};
