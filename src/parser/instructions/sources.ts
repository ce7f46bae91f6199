import { ParseErrorCode } from '../errors.js';
import { heredocContent, type Heredoc, type SyntaxArgument } from '../syntax-tree.js';
import type { InstructionRequest } from './request.js';
import type { HeredocSource, Located } from './types.js';

/** BuildKit's heredoc word: `[fd]<<[-]NAME`. */
const heredocWord = /^(\d*)<<(-?)\s*([^<]*)$/;

function isHeredocWord(value: string): boolean {
  const match = heredocWord.exec(value);
  return match !== null && match[3] !== '';
}

/** The heredoc name a word would give, quotes and backslashes dropped (a fallback when ranges do not line up). */
function plainName(value: string): string {
  return value.replace(/^\d*<<-?\s*/, '').replace(/["'\\]/g, '');
}

function findHeredoc(arg: SyntaxArgument, heredocs: readonly Heredoc[], used: Set<Heredoc>): Heredoc | undefined {
  const free = heredocs.filter((heredoc) => !used.has(heredoc));
  const at = free.find((heredoc) => {
    const offset = heredoc.openerRange.start.offset;
    return offset >= arg.range.start.offset && offset < arg.range.end.offset;
  });
  return at ?? free.find((heredoc) => heredoc.name === plainName(arg.value));
}

export interface SourcesAndDestination {
  sources: Located[];
  heredocSources: HeredocSource[];
  destination: Located;
}

/**
 * BuildKit's `parseSourcesAndDest` for COPY and ADD (at least two arguments already checked): the last argument is
 * the destination, which may not be a heredoc; a `<<NAME` source (shell form) is the body of that heredoc.
 */
export function readSourcesAndDestination(request: InstructionRequest, instruction: string): SourcesAndDestination | undefined {
  const { args, node } = request;
  const last = args[args.length - 1];
  if (isHeredocWord(last.value)) {
    request.problems.add(ParseErrorCode.InvalidHeredoc, `${instruction} cannot accept a heredoc as a destination`, last.range);
    return undefined;
  }
  const sources: Located[] = [];
  const heredocSources: HeredocSource[] = [];
  const used = new Set<Heredoc>();
  for (const arg of args.slice(0, -1)) {
    const heredoc = !node.json && isHeredocWord(arg.value) ? findHeredoc(arg, request.heredocs, used) : undefined;
    if (heredoc === undefined) {
      sources.push({ value: arg.value, range: arg.range });
      continue;
    }
    used.add(heredoc);
    heredocSources.push({
      name: heredoc.name,
      content: heredocContent(heredoc),
      expand: heredoc.expand,
      heredoc,
      range: arg.range,
    });
  }
  return { sources, heredocSources, destination: { value: last.value, range: last.range } };
}
