/**
 * Go's notion of white space (`unicode.IsSpace`), which BuildKit's parser uses to trim and split lines.
 * It differs from JavaScript's `\s` (no U+FEFF, but U+0085 is included).
 */
export function isGoSpace(code: number): boolean {
  if (code <= 0xff) {
    return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0x85 || code === 0xa0;
  }
  return (
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** BuildKit's `reWhitespace`: `[\t\v\f\r ]`. */
export function isSplitSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0b || code === 0x0c || code === 0x0d;
}

export function skipGoSpace(text: string, from: number, to = text.length): number {
  let index = from;
  while (index < to && isGoSpace(text.charCodeAt(index))) index++;
  return index;
}

export function skipGoSpaceBackward(text: string, to: number, from = 0): number {
  let index = to;
  while (index > from && isGoSpace(text.charCodeAt(index - 1))) index--;
  return index;
}
