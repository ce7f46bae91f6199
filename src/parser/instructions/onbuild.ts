import { ParseErrorCode } from '../errors.js';
import type { Heredoc } from '../syntax-tree.js';
import { noFlags, parseFlags } from './flags.js';
import type { Converter } from './request.js';

const forbiddenTriggers = new Set(['FROM', 'MAINTAINER']);

/** BuildKit's `OnbuildCommand.Expression`: the line after `ONBUILD`, then each heredoc body and terminator. */
function triggerExpression(original: string, heredocs: readonly Heredoc[]): string {
  let expression = original.replace(/^[\t\n\f\r ]*ONBUILD[\t\n\f\r ]*/i, '');
  for (const heredoc of heredocs) expression += `\n${heredoc.content}${heredoc.name}`;
  return expression;
}

/** ONBUILD trigger: the trigger is converted as an instruction of its own; ONBUILD, FROM and MAINTAINER are refused. */
export const convertOnbuild: Converter = (request) => {
  const { node } = request;
  parseFlags(request, noFlags);
  const child = node.child;
  if (child === undefined) {
    request.problems.add(ParseErrorCode.MissingArguments, 'ONBUILD requires at least one argument', node.range);
    return undefined;
  }
  const triggerName = (child.name || child.keyword).trim().toUpperCase();
  if (triggerName === 'ONBUILD') {
    request.problems.add(ParseErrorCode.InvalidArguments, 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed', child.keywordRange);
    return undefined;
  }
  if (forbiddenTriggers.has(triggerName)) {
    request.problems.add(ParseErrorCode.InvalidArguments, `${triggerName} isn't allowed as an ONBUILD trigger`, child.keywordRange);
    return undefined;
  }
  const heredocs = child.heredocs.length > 0 ? child.heredocs : request.heredocs;
  const trigger = request.convertTrigger(child, heredocs);
  if (trigger === undefined) return undefined;
  return {
    kind: 'ONBUILD',
    node,
    range: node.range,
    trigger,
    expression: triggerExpression(node.original, heredocs),
  };
};
