import { isGoSpace } from './go-text.js';

/** A word of the logical line: its processed value and where it was written. */
export interface WordSpan {
  value: string;
  start: number;
  end: number;
}

const SINGLE_QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;
const DASH = 0x2d;

/**
 * BuildKit's `extractBuilderFlags`: the leading words that start with `--` are flags. Quotes in them are removed
 * and the escape character escapes the next character. A bare `--` ends the flags. Returns the flags and where
 * the arguments start.
 */
export function extractFlagWords(line: string, from: number, to: number, escape: number): { flags: WordSpan[]; restStart: number } {
  const flags: WordSpan[] = [];
  let position = from;
  while (position < to) {
    while (position < to && isGoSpace(line.charCodeAt(position))) position++;
    if (position >= to) return { flags, restStart: to };
    if (line.charCodeAt(position) !== DASH || position + 1 >= to || line.charCodeAt(position + 1) !== DASH) {
      return { flags, restStart: position };
    }
    const start = position;
    // The word is built from slices between the characters that quoting and escaping remove.
    let word = '';
    let chunkStart = position;
    let blankOk = false;
    let quote = 0;
    let ended = false;
    for (; position < to; position++) {
      const code = line.charCodeAt(position);
      if (quote === 0 && isGoSpace(code)) {
        ended = true;
        break;
      }
      if (quote === 0 && (code === SINGLE_QUOTE || code === DOUBLE_QUOTE)) {
        word += line.slice(chunkStart, position);
        chunkStart = position + 1;
        quote = code;
        blankOk = true;
      } else if (quote !== 0 && code === quote) {
        word += line.slice(chunkStart, position);
        chunkStart = position + 1;
        quote = 0;
      } else if (code === escape) {
        word += line.slice(chunkStart, position);
        chunkStart = position + 1;
        if (position + 1 === to) {
          // A trailing escape character is dropped (and ends a quote).
          quote = 0;
        } else {
          position++;
        }
      }
    }
    word += line.slice(chunkStart, position);
    if (ended && word === '--') return { flags, restStart: position };
    if (word !== '--' && (blankOk || word.length > 0)) flags.push({ value: word, start, end: position });
  }
  return { flags, restStart: to };
}

/**
 * BuildKit's `parseWords` (ENV, LABEL, ARG): white space separates words outside quotes; quotes and escape
 * characters stay in the words.
 */
export function splitQuotedWords(line: string, from: number, to: number, escape: number): WordSpan[] {
  const words: WordSpan[] = [];
  let position = from;
  while (position < to) {
    while (position < to && isGoSpace(line.charCodeAt(position))) position++;
    if (position >= to) break;
    const start = position;
    let quote = 0;
    let blankOk = false;
    let wordStart = position;
    let value = '';
    for (; position < to; position++) {
      const code = line.charCodeAt(position);
      if (quote === 0) {
        if (isGoSpace(code)) break;
        if (code === SINGLE_QUOTE || code === DOUBLE_QUOTE) {
          quote = code;
          blankOk = true;
        } else if (code === escape) {
          if (position + 1 === to) {
            // A lone escape character at the end is dropped.
            value += line.slice(wordStart, position);
            wordStart = position + 1;
            continue;
          }
          position++;
        }
      } else if (code === quote) {
        quote = 0;
      } else if (code === escape && quote !== SINGLE_QUOTE) {
        if (position + 1 === to) {
          value += line.slice(wordStart, position);
          wordStart = position + 1;
          quote = 0;
          continue;
        }
        position++;
      }
    }
    value += line.slice(wordStart, Math.min(position, to));
    if (blankOk || value.length > 0) words.push({ value, start, end: Math.min(position, to) });
  }
  return words;
}

/** BuildKit's `reWhitespace.Split`: split on runs of `[\t\v\f\r ]`, no quote handling. */
export function splitOnWhitespace(line: string, from: number, to: number, limit = Infinity): WordSpan[] {
  const words: WordSpan[] = [];
  let start = from;
  let position = from;
  while (position < to) {
    const code = line.charCodeAt(position);
    if (code === 0x20 || code === 0x09 || code === 0x0b || code === 0x0c || code === 0x0d) {
      if (words.length + 1 >= limit) break;
      words.push({ value: line.slice(start, position), start, end: position });
      while (position < to && isAsciiSplitSpace(line.charCodeAt(position))) position++;
      start = position;
      continue;
    }
    position++;
  }
  words.push({ value: line.slice(start, to), start, end: to });
  return words;
}

function isAsciiSplitSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0b || code === 0x0c || code === 0x0d;
}
