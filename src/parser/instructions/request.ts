import { FlagError, ParseError, type ParseErrorCode } from '../errors.js';
import { SourceSpan, type SourceRange } from '../source-range.js';
import type { Heredoc, SyntaxArgument, SyntaxNode } from '../syntax-tree.js';
import type { Instruction, ToInstructionContext } from './types.js';

/** Collects the errors of one node, each with its code, range and file. */
export class Problems {
  readonly errors: ParseError[] = [];

  constructor(readonly file: string | undefined) {}

  add(code: ParseErrorCode, detail: string, range: SourceRange): void {
    this.errors.push(new ParseError(code, detail, range, this.file));
  }

  addFlag(code: ParseErrorCode, detail: string, range: SourceRange): void {
    this.errors.push(new FlagError(code, detail, range, this.file));
  }
}

/** What a converter gets: the node, where to report, and how to convert a nested (ONBUILD) trigger. */
export interface InstructionRequest {
  node: SyntaxNode;
  args: SyntaxArgument[];
  /** The node's heredocs; an ONBUILD trigger inherits its parent's when the syntax layer kept them there. */
  heredocs: Heredoc[];
  context: ToInstructionContext;
  problems: Problems;
  convertTrigger(node: SyntaxNode, heredocs: Heredoc[]): Instruction | undefined;
}

export type Converter = (request: InstructionRequest) => Instruction | undefined;

/** The span from the start of `first` to the end of `last`. */
export function spanRange(first: SourceRange, last: SourceRange): SourceRange {
  if (first instanceof SourceSpan && last instanceof SourceSpan) return last.endOffset >= first.startOffset ? first.through(last) : first;
  return last.end.offset >= first.start.offset ? { start: first.start, end: last.end } : first;
}
