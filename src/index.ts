/**
 * build-image's public API. Everything a program embedding the builder needs is exported from here, and
 * nothing else is public.
 */
export {
  parse,
  parseSyntax,
  parseOrThrow,
  dumpSyntaxTree,
  heredocContent,
  ParseError,
  FlagError,
  HeredocError,
  ExpansionError,
  DockerfileSyntaxError,
  ParseErrorCode,
} from './parser/index.js';
export type {
  ParseOptions,
  ParseResult,
  SyntaxParseResult,
  ParseWarning,
  SourcePosition,
  SourceRange,
  Comment,
  Directive,
  Heredoc,
  SyntaxArgument,
  SyntaxFlag,
  SyntaxNode,
  SyntaxTree,
} from './parser/index.js';
