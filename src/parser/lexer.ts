import { createToken, Lexer, type CustomPatternMatcherReturn, type TokenType } from 'chevrotain';
import { isGoSpace } from './go-text.js';

/**
 * The lexer cuts a Dockerfile into physical-line tokens: each line is a comment, a blank line, or text with an
 * optional trailing continuation (the escape character), followed by a line break. Which character continues a
 * line depends on the `# escape=` directive, so there is one lexer per escape character, each built once.
 */

export type EscapeChar = '\\' | '`';

const LF = 0x0a;
const CR = 0x0d;
const BOM = 0xfeff;

function isLineStart(text: string, offset: number): boolean {
  if (offset === 0) return true;
  const previous = text.charCodeAt(offset - 1);
  return previous === LF || (offset === 1 && previous === BOM);
}

/** Index of the `\n` ending the line that holds `offset`, or the text length. */
function lineEndOf(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length : newline;
}

/** The end of a line's content: trailing `\r` characters belong to the line break (BuildKit trims "\r\n"). */
function contentEndOf(text: string, offset: number, lineEnd: number): number {
  let end = lineEnd;
  while (end > offset && text.charCodeAt(end - 1) === CR) end--;
  return end;
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

function matched(text: string, start: number, end: number): CustomPatternMatcherReturn {
  return [text.slice(start, end)] as unknown as CustomPatternMatcherReturn;
}

export const ByteOrderMark = createToken({
  name: 'ByteOrderMark',
  pattern: { exec: (text, offset) => (offset === 0 && text.charCodeAt(0) === BOM ? matched(text, 0, 1) : null) },
  line_breaks: false,
  group: Lexer.SKIPPED,
});

export const LineBreak = createToken({
  name: 'LineBreak',
  pattern: {
    exec: (text, offset) => {
      let index = offset;
      while (index < text.length && text.charCodeAt(index) === CR) index++;
      if (index < text.length && text.charCodeAt(index) === LF) return matched(text, offset, index + 1);
      // Trailing carriage returns at the end of the file end the last line too.
      return index === text.length && index > offset ? matched(text, offset, index) : null;
    },
  },
  line_breaks: true,
  start_chars_hint: ['\n', '\r'],
});

export const CommentLine = createToken({
  name: 'CommentLine',
  pattern: {
    exec: (text, offset) => {
      if (!isLineStart(text, offset)) return null;
      const lineEnd = lineEndOf(text, offset);
      let index = offset;
      while (index < lineEnd && isGoSpace(text.charCodeAt(index))) index++;
      if (index === lineEnd || text.charCodeAt(index) !== 0x23) return null;
      return matched(text, offset, contentEndOf(text, offset, lineEnd));
    },
  },
  line_breaks: false,
});

export const BlankLine = createToken({
  name: 'BlankLine',
  pattern: {
    exec: (text, offset) => {
      if (!isLineStart(text, offset)) return null;
      const lineEnd = lineEndOf(text, offset);
      const contentEnd = contentEndOf(text, offset, lineEnd);
      if (contentEnd === offset) return null;
      for (let index = offset; index < contentEnd; index++) {
        if (!isGoSpace(text.charCodeAt(index))) return null;
      }
      return matched(text, offset, contentEnd);
    },
  },
  line_breaks: false,
});

/** Categories the grammar consumes: each lexer has its own concrete text and continuation tokens. */
export const Text = createToken({ name: 'Text', pattern: Lexer.NA });
export const Continuation = createToken({ name: 'Continuation', pattern: Lexer.NA });

function makeLineTokens(escape: EscapeChar): { continuation: TokenType; text: TokenType } {
  const escapeCode = escape.charCodeAt(0);
  const suffix = escape === '\\' ? 'Backslash' : 'Backtick';

  const continuation = createToken({
    name: `Continuation${suffix}`,
    pattern: {
      exec: (text, offset) => {
        if (text.charCodeAt(offset) !== escapeCode) return null;
        let lineStart = offset;
        while (lineStart > 0 && text.charCodeAt(lineStart - 1) !== LF) lineStart--;
        const lineEnd = lineEndOf(text, offset);
        const contentEnd = contentEndOf(text, offset, lineEnd);
        return continuationStart(text, lineStart, contentEnd, escapeCode) === offset ? matched(text, offset, contentEnd) : null;
      },
    },
    line_breaks: false,
    start_chars_hint: [escape],
    categories: [Continuation],
  });

  const lineText = createToken({
    name: `Text${suffix}`,
    pattern: {
      exec: (text, offset) => {
        if (!isLineStart(text, offset)) return null;
        const lineEnd = lineEndOf(text, offset);
        const contentEnd = contentEndOf(text, offset, lineEnd);
        const continuationAt = continuationStart(text, offset, contentEnd, escapeCode);
        const end = continuationAt === -1 ? contentEnd : continuationAt;
        return end > offset ? matched(text, offset, end) : null;
      },
    },
    line_breaks: false,
    categories: [Text],
  });
  return { continuation, text: lineText };
}

export const backslashTokens = makeLineTokens('\\');
export const backtickTokens = makeLineTokens('`');

/** Every token type, in the order the lexers try them; the parser is built over all of them. */
export const allTokenTypes: TokenType[] = [
  Text,
  Continuation,
  ByteOrderMark,
  LineBreak,
  CommentLine,
  BlankLine,
  backslashTokens.continuation,
  backtickTokens.continuation,
  backslashTokens.text,
  backtickTokens.text,
];

function buildLexer(tokens: { continuation: TokenType; text: TokenType }): Lexer {
  return new Lexer([ByteOrderMark, LineBreak, CommentLine, BlankLine, tokens.continuation, tokens.text], {
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
    lexer = buildLexer(escape === '\\' ? backslashTokens : backtickTokens);
    lexers.set(escape, lexer);
  }
  return lexer;
}
