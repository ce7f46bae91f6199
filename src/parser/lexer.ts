import type { CustomPatternMatcherReturn, IToken, Lexer, TokenType } from 'chevrotain';
import { chevrotain } from './chevrotain.js';
import { isGoSpace } from './go-text.js';


/**
 * The lexer cuts a Dockerfile into physical lines, one token each (line break included): empty lines, comment
 * lines, blank lines, lines that continue on the next one, and plain lines. What continues a line is the escape
 * character of the `# escape=` directive, so there is one lexer per escape character, each built once.
 * Every token's payload is the offset where its content ends (before `\r*\n`).
 */

export type EscapeChar = '\\' | '`';

const LF = 0x0a;
const CR = 0x0d;
const BOM = 0xfeff;

/**
 * The line being looked at. The token patterns are tried one after the other at the same offset, so the line's
 * end is found once and reused (lexing is synchronous, so one slot is enough).
 */
const current = { text: '', offset: -1, lineEnd: 0, contentEnd: 0, nextLine: 0 };

function describeLine(text: string, offset: number): typeof current {
  if (current.offset === offset && current.text === text) return current;
  const newline = text.indexOf('\n', offset);
  const lineEnd = newline === -1 ? text.length : newline;
  let contentEnd = lineEnd;
  // Trailing carriage returns belong to the line break: BuildKit trims "\r\n" from the end of every line.
  while (contentEnd > offset && text.charCodeAt(contentEnd - 1) === CR) contentEnd--;
  current.text = text;
  current.offset = offset;
  current.lineEnd = lineEnd;
  current.contentEnd = contentEnd;
  current.nextLine = newline === -1 ? text.length : newline + 1;
  return current;
}

/**
 * Where the continuation (escape character plus trailing blanks) of a line's content starts, or -1.
 * BuildKit: the escape character as the last non-[ \t] character, not preceded by another escape character.
 */
export function continuationStart(text: string, lineStart: number, contentEnd: number, escape: number): number {
  let index = contentEnd;
  while (index > lineStart) {
    const code = text.charCodeAt(index - 1);
    if (code !== 0x20 && code !== 0x09) break;
    index--;
  }
  if (index === lineStart || text.charCodeAt(index - 1) !== escape) return -1;
  const escapeAt = index - 1;
  if (escapeAt > lineStart && text.charCodeAt(escapeAt - 1) === escape) return -1;
  return escapeAt;
}

function wholeLine(text: string, line: typeof current): CustomPatternMatcherReturn {
  const result = [text.slice(line.offset, line.nextLine)] as unknown as CustomPatternMatcherReturn & { payload: number };
  result.payload = line.contentEnd;
  return result;
}

/** The line token types. They are made on first use, when chevrotain is loaded (see chevrotain.ts). */
export interface LineTokens {
  readonly ByteOrderMark: TokenType;
  readonly EmptyLine: TokenType;
  readonly CommentLine: TokenType;
  readonly BlankLine: TokenType;
  /** Categories the grammar consumes: each lexer has its own concrete line tokens. */
  readonly ContinuedLine: TokenType;
  readonly Line: TokenType;
  readonly byEscape: Readonly<Record<EscapeChar, { continued: TokenType; line: TokenType }>>;
  /** Every token type; the parser is built over all of them. */
  readonly all: TokenType[];
}

let lineTokenTypes: LineTokens | undefined;

export function lineTokens(): LineTokens {
  return (lineTokenTypes ??= createLineTokens());
}

function createLineTokens(): LineTokens {
  const { createToken, Lexer } = chevrotain();

  const ByteOrderMark = createToken({
    name: 'ByteOrderMark',
    pattern: { exec: (text, offset) => (offset === 0 && text.charCodeAt(0) === BOM ? ([text[0]] as unknown as CustomPatternMatcherReturn) : null) },
    line_breaks: false,
    group: Lexer.SKIPPED,
  });

  const EmptyLine = createToken({
    name: 'EmptyLine',
    pattern: {
      exec: (text, offset) => {
        const line = describeLine(text, offset);
        return line.contentEnd === offset && line.nextLine > offset ? wholeLine(text, line) : null;
      },
    },
    line_breaks: true,
  });

  const CommentLine = createToken({
    name: 'CommentLine',
    pattern: {
      exec: (text, offset) => {
        const line = describeLine(text, offset);
        let index = offset;
        while (index < line.contentEnd && isGoSpace(text.charCodeAt(index))) index++;
        return index < line.contentEnd && text.charCodeAt(index) === 0x23 ? wholeLine(text, line) : null;
      },
    },
    line_breaks: true,
  });

  const BlankLine = createToken({
    name: 'BlankLine',
    pattern: {
      exec: (text, offset) => {
        const line = describeLine(text, offset);
        if (line.contentEnd === offset) return null;
        for (let index = offset; index < line.contentEnd; index++) {
          if (!isGoSpace(text.charCodeAt(index))) return null;
        }
        return wholeLine(text, line);
      },
    },
    line_breaks: true,
  });

  const ContinuedLine = createToken({ name: 'ContinuedLine', pattern: Lexer.NA });
  const Line = createToken({ name: 'Line', pattern: Lexer.NA });

  function makeLineTokens(escape: EscapeChar): { continued: TokenType; line: TokenType } {
    const escapeCode = escape.charCodeAt(0);
    const suffix = escape === '\\' ? 'Backslash' : 'Backtick';
    const continued = createToken({
      name: `ContinuedLine${suffix}`,
      pattern: {
        exec: (text, offset) => {
          const line = describeLine(text, offset);
          return continuationStart(text, offset, line.contentEnd, escapeCode) === -1 ? null : wholeLine(text, line);
        },
      },
      line_breaks: true,
      categories: [ContinuedLine],
    });
    const plain = createToken({
      name: `Line${suffix}`,
      pattern: {
        exec: (text, offset) => {
          const line = describeLine(text, offset);
          return line.contentEnd > offset ? wholeLine(text, line) : null;
        },
      },
      line_breaks: true,
      categories: [Line],
    });
    return { continued, line: plain };
  }

  const backslashTokens = makeLineTokens('\\');
  const backtickTokens = makeLineTokens('`');

  /** Every token type; the parser is built over all of them. */
  const allTokenTypes: TokenType[] = [
    ContinuedLine,
    Line,
    ByteOrderMark,
    EmptyLine,
    CommentLine,
    BlankLine,
    backslashTokens.continued,
    backtickTokens.continued,
    backslashTokens.line,
    backtickTokens.line,
  ];

  return {
    ByteOrderMark,
    EmptyLine,
    CommentLine,
    BlankLine,
    ContinuedLine,
    Line,
    byEscape: { '\\': backslashTokens, '`': backtickTokens },
    all: allTokenTypes,
  };
}

function buildLexer(escape: EscapeChar): Lexer {
  const tokens = lineTokens();
  const { continued, line } = tokens.byEscape[escape];
  return new (chevrotain().Lexer)([tokens.ByteOrderMark, tokens.EmptyLine, tokens.CommentLine, tokens.BlankLine, continued, line], {
    positionTracking: 'onlyOffset',
    lineTerminatorsPattern: /\n/g,
    lineTerminatorCharacters: ['\n'],
    ensureOptimizations: false,
    safeMode: false,
  });
}

const lexers = new Map<EscapeChar, Lexer>();

export function lexerFor(escape: EscapeChar): Lexer {
  let lexer = lexers.get(escape);
  if (!lexer) {
    lexer = buildLexer(escape);
    lexers.set(escape, lexer);
  }
  return lexer;
}

/** Where a line token's content ends (before its line break). */
export function contentEndOf(token: IToken): number {
  return token.payload as number;
}
