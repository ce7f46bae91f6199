import { DockerfileSyntaxError, ParseError, ParseErrorCode, type ParseWarning } from './errors.js';
import { scanDirectives } from './directives.js';
import { ParseSession, runGrammar } from './grammar.js';
import { toInstruction, type Instruction } from './instructions/index.js';
import { lexerFor } from './lexer.js';
import type { SyntaxNode, SyntaxTree } from './syntax-tree.js';

export interface ParseOptions {
  /** The file name used in error locations; defaults to `Dockerfile`. */
  file?: string;
}

export interface SyntaxParseResult {
  file: string | undefined;
  /** The syntax-level tree: every instruction as written, unknown ones included. */
  syntax: SyntaxTree;
  /** Every error found, in file order; an empty list means the file is valid. */
  errors: ParseError[];
  warnings: ParseWarning[];
}

export interface ParseResult extends SyntaxParseResult {
  /** Typed instructions for every node that parsed without error, in file order. */
  instructions: Instruction[];
}

/** BuildKit reads lines with a 64 KiB scanner buffer; longer lines are an error there too. */
const maxLineBytes = 64 * 1024;

function findLongLines(text: string, file: string | undefined): ParseError[] {
  const errors: ParseError[] = [];
  if (text.length < maxLineBytes / 4) return errors;
  let lineStart = 0;
  for (let line = 1; lineStart < text.length; line++) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline + 1;
    if (lineEnd - lineStart > maxLineBytes / 4 && Buffer.byteLength(text.slice(lineStart, lineEnd)) > maxLineBytes) {
      const start = { line, column: 1, offset: lineStart };
      errors.push(
        new ParseError(ParseErrorCode.LineTooLong, `line is longer than ${maxLineBytes} bytes`, { start, end: start }, file),
      );
    }
    lineStart = lineEnd;
  }
  return errors;
}

function byPosition(a: ParseError, b: ParseError): number {
  return (a.range?.start.offset ?? Number.MAX_SAFE_INTEGER) - (b.range?.start.offset ?? Number.MAX_SAFE_INTEGER);
}

interface SyntaxParse extends SyntaxParseResult {
  invalidNodes: ReadonlySet<SyntaxNode>;
}

function parseSyntaxTree(text: string, file: string | undefined): SyntaxParse {
  const directives = scanDirectives(text, file);
  const lexed = lexerFor(directives.escapeChar).tokenize(text);
  const session = new ParseSession(text, file, directives.escapeChar.charCodeAt(0), directives.directiveOffsets);
  session.errors.push(...directives.errors, ...findLongLines(text, file));
  for (const error of lexed.errors) {
    const start = { line: error.line ?? 1, column: error.column ?? 1, offset: error.offset };
    session.errors.push(new ParseError(ParseErrorCode.Syntax, error.message, { start, end: start }, file));
  }
  runGrammar(lexed.tokens, session);
  if (session.nodes.length === 0) {
    const lines = text.split('\n').length;
    const at = { line: lines, column: 1, offset: text.length };
    session.errors.push(new ParseError(ParseErrorCode.EmptyFile, 'file with no instructions', { start: at, end: at }, file));
  }
  const syntax: SyntaxTree = { directives: directives.directives, escapeChar: directives.escapeChar, nodes: session.nodes, comments: session.comments };
  return { file, syntax, errors: session.errors, warnings: session.warnings, invalidNodes: session.invalidNodes };
}

/**
 * BuildKit's parser level only: the syntax tree, without checking instructions, flags or arguments
 * (what BuildKit's `parser.Parse` accepts, and what `build-image parse --format dump` prints).
 */
export function parseSyntax(text: string, options: ParseOptions = {}): SyntaxParseResult {
  const { invalidNodes: _invalid, ...result } = parseSyntaxTree(text, options.file);
  return { ...result, errors: result.errors.sort(byPosition) };
}

/**
 * Parse Dockerfile text into typed instructions. Never throws for bad input: every problem is in `errors`, each
 * with a code and location, and parsing goes on past errors so that all of them are reported.
 */
export function parse(text: string, options: ParseOptions = {}): ParseResult {
  const { invalidNodes, ...result } = parseSyntaxTree(text, options.file);
  const instructions: Instruction[] = [];
  for (const node of result.syntax.nodes) {
    if (invalidNodes.has(node)) continue;
    const converted = toInstruction(node, { file: options.file, escapeChar: result.syntax.escapeChar });
    if (converted.instruction) instructions.push(converted.instruction);
    result.errors.push(...converted.errors);
  }
  return { ...result, instructions, errors: result.errors.sort(byPosition) };
}

/** Parse, throwing a `DockerfileSyntaxError` (which lists every error) when the file has any. */
export function parseOrThrow(text: string, options: ParseOptions = {}): ParseResult {
  const result = parse(text, options);
  if (result.errors.length > 0) throw new DockerfileSyntaxError(result.errors);
  return result;
}
