import { CH_DOLLAR, CH_LEFT_BRACE, CH_RIGHT_BRACE, codePointAt, codePointWidth, isNameChar } from './chars.js';

/**
 * A `${V//p/r}` replacement after Go's `Regexp.Expand` rules, which BuildKit applies through
 * `ReplaceAllString`: `$$` is a dollar, `$0` / `${0}` the matched text, any other well-formed
 * `$name` / `${name}` nothing (the pattern has no groups), and a malformed `$` stays literal.
 * Parts are literal strings; `null` stands for the matched text.
 */
export type ReplaceTemplate = readonly (string | null)[];

export function compileTemplate(template: string): ReplaceTemplate {
  if (template.indexOf('$') < 0) return [template];
  const parts: (string | null)[] = [];
  const length = template.length;
  let pending = '';
  let i = 0;
  for (;;) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) break;
    pending += template.slice(i, dollar);
    i = dollar + 1;
    if (i < length && template.charCodeAt(i) === CH_DOLLAR) {
      pending += '$';
      i += 1;
      continue;
    }
    let cursor = i;
    const braced = cursor < length && template.charCodeAt(cursor) === CH_LEFT_BRACE;
    if (braced) cursor += 1;
    const nameStart = cursor;
    while (cursor < length) {
      const cp = codePointAt(template, cursor);
      if (!isNameChar(cp)) break;
      cursor += codePointWidth(cp);
    }
    if (cursor === nameStart || (braced && (cursor >= length || template.charCodeAt(cursor) !== CH_RIGHT_BRACE))) {
      pending += '$';
      continue;
    }
    const name = template.slice(nameStart, cursor);
    i = braced ? cursor + 1 : cursor;
    if (name === '0') {
      parts.push(pending, null);
      pending = '';
    }
  }
  parts.push(pending + template.slice(i));
  return parts;
}

/** Fills a compiled template with one match. */
export function fillTemplate(template: ReplaceTemplate, match: string): string {
  if (template.length === 1 && template[0] !== null) return template[0];
  let out = '';
  for (const part of template) out += part === null ? match : part;
  return out;
}
