/**
 * Go's `strconv.Quote`, which BuildKit's AST dump uses for every value: printable characters stay as they are,
 * the rest become Go escapes. "Printable" follows Go's `unicode.IsPrint`: letters, marks, numbers, punctuation,
 * symbols and the ASCII space.
 */
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const shortEscapes: Record<number, string> = {
  0x07: '\\a',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x0b: '\\v',
  0x22: '\\"',
  0x5c: '\\\\',
};

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}

function quoteCodePoint(code: number, char: string): string {
  const short = shortEscapes[code];
  if (short) return short;
  if (code < 0x20 || code === 0x7f) return `\\x${hex(code, 2)}`;
  if (code < 0x7f) return char;
  if (code >= 0xd800 && code <= 0xdfff) return '\ufffd'; // a lone surrogate is U+FFFD in Go's UTF-8, which prints as itself
  if (printable.test(char)) return char;
  return code > 0xffff ? `\\U${hex(code, 8)}` : `\\u${hex(code, 4)}`;
}

export function goQuote(value: string): string {
  let out = '"';
  let plainStart = 0;
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code >= 0x20 && code < 0x7f && code !== 0x22 && code !== 0x5c) continue;
    out += value.slice(plainStart, index);
    const point = value.codePointAt(index) as number;
    const char = String.fromCodePoint(point);
    out += quoteCodePoint(point, char);
    index += char.length - 1;
    plainStart = index + 1;
  }
  return out + value.slice(plainStart) + '"';
}
