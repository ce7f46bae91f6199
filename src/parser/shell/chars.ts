/**
 * Character classes used by BuildKit's shell lexer, reproduced with Go's definitions
 * (`unicode.IsSpace`, `unicode.IsLetter`, `unicode.IsDigit`). Everything works on UTF-16
 * code units or code points obtained with {@link codePointAt}; no regular expression runs
 * for ASCII input.
 */

export const CH_TAB = 0x09;
export const CH_NEWLINE = 0x0a;
export const CH_SPACE = 0x20;
export const CH_DOUBLE_QUOTE = 0x22;
export const CH_HASH = 0x23;
export const CH_DOLLAR = 0x24;
export const CH_PERCENT = 0x25;
export const CH_SINGLE_QUOTE = 0x27;
export const CH_STAR = 0x2a;
export const CH_PLUS = 0x2b;
export const CH_MINUS = 0x2d;
export const CH_SLASH = 0x2f;
export const CH_COLON = 0x3a;
export const CH_QUESTION = 0x3f;
export const CH_BACKSLASH = 0x5c;
export const CH_UNDERSCORE = 0x5f;
export const CH_BACKTICK = 0x60;
export const CH_LEFT_BRACE = 0x7b;
export const CH_RIGHT_BRACE = 0x7d;
/** U+FEFF, skipped by Go's `text/scanner` when it is the very first character. */
export const CH_BOM = 0xfeff;

const UNICODE_LETTER = /^\p{L}$/u;
const UNICODE_DIGIT = /^\p{Nd}$/u;

/** Go's `unicode.IsSpace`, shared with the line parser. */
export { isGoSpace } from '../go-text.js';

/** Go's `unicode.IsLetter` (general category L). */
export function isGoLetter(cp: number): boolean {
  if (cp < 0x80) {
    const lower = cp | 0x20;
    return lower >= 0x61 && lower <= 0x7a;
  }
  return UNICODE_LETTER.test(String.fromCodePoint(cp));
}

/** Go's `unicode.IsDigit` (general category Nd). */
export function isGoDigit(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x30 && cp <= 0x39;
  return UNICODE_DIGIT.test(String.fromCodePoint(cp));
}

/** A character that may continue a variable name: letter, digit or `_`. */
export function isNameChar(cp: number): boolean {
  return cp === CH_UNDERSCORE || isGoLetter(cp) || isGoDigit(cp);
}

/** POSIX special parameters, which BuildKit reads as one-character names (`$@`, `${#}`...). */
export function isSpecialParameter(cp: number): boolean {
  switch (cp) {
    case 0x40: // @
    case CH_STAR:
    case CH_HASH:
    case CH_QUESTION:
    case CH_MINUS:
    case CH_DOLLAR:
    case 0x21: // !
    case 0x30: // 0
      return true;
    default:
      return false;
  }
}

/**
 * The code point starting at `index` (a lone surrogate is returned as itself, the way it
 * would be one character for Go). Callers advance by {@link codePointWidth}.
 */
export function codePointAt(text: string, index: number): number {
  const first = text.charCodeAt(index);
  if (first >= 0xd800 && first <= 0xdbff && index + 1 < text.length) {
    const second = text.charCodeAt(index + 1);
    if (second >= 0xdc00 && second <= 0xdfff) return ((first - 0xd800) << 10) + (second - 0xdc00) + 0x10000;
  }
  return first;
}

/** The code point that ends just before `end` (reading backwards). */
export function codePointBefore(text: string, end: number): number {
  const last = text.charCodeAt(end - 1);
  if (last >= 0xdc00 && last <= 0xdfff && end - 2 >= 0) {
    const first = text.charCodeAt(end - 2);
    if (first >= 0xd800 && first <= 0xdbff) return ((first - 0xd800) << 10) + (last - 0xdc00) + 0x10000;
  }
  return last;
}

/** Number of UTF-16 code units `cp` occupies. */
export function codePointWidth(cp: number): number {
  return cp > 0xffff ? 2 : 1;
}

/** True when the string contains any surrogate code unit. */
export function hasSurrogates(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return true;
  }
  return false;
}
