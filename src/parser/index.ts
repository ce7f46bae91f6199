export { parse, parseSyntax, parseOrThrow, type ParseOptions, type ParseResult, type SyntaxParseResult } from './parse.js';
export { parseWithMemo, type MemoParseOptions } from './parse-memo.js';
export { dumpNode, dumpSyntaxTree } from './dump.js';
export { goQuote } from './go-quote.js';
export {
  ParseError,
  FlagError,
  HeredocError,
  ExpansionError,
  DockerfileSyntaxError,
  ParseErrorCode,
  type ParseWarning,
} from './errors.js';
export type { SourcePosition, SourceRange } from './source-range.js';
export { heredocContent, type Comment, type Directive, type Heredoc, type SyntaxArgument, type SyntaxFlag, type SyntaxNode, type SyntaxTree } from './syntax-tree.js';
export { expandWord, expandWords, expandWordWithMatches, type Environment, type ExpandOptions, type ExpansionWithMatches } from './shell/index.js';
export { parseMount, type ParseMountOptions, type ParseMountResult } from './instructions/index.js';
export type * from './instructions/index.js';
