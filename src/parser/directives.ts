import { ParseError, ParseErrorCode } from './errors.js';
import type { EscapeChar } from './lexer.js';
import { skipGoSpace } from './go-text.js';
import type { Directive } from './syntax-tree.js';

/** BuildKit's directive pattern; `\s` there is Go's ASCII class, not JavaScript's. */
const directivePattern = /^#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$/;
const knownDirectives = new Set(['syntax', 'escape', 'check']);

export interface DirectiveScan {
  directives: Directive[];
  escapeChar: EscapeChar;
  /** Offsets of the comment lines that were directives (they are not kept as comments). */
  directiveOffsets: Set<number>;
  errors: ParseError[];
}

/**
 * Parser directives are read only from the leading lines of the file: the first line that is not a known
 * directive (a blank line, another comment, an instruction) ends them. A `#!` line 1 is passed over.
 * The escape directive must be known before lexing, since it decides what continues a line.
 */
export function scanDirectives(text: string, file: string | undefined): DirectiveScan {
  const scan: DirectiveScan = { directives: [], escapeChar: '\\', directiveOffsets: new Set(), errors: [] };
  let lineStart = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let lineNumber = 1; lineStart <= text.length; lineNumber++) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    let contentEnd = lineEnd;
    while (contentEnd > lineStart && (text.charCodeAt(contentEnd - 1) === 0x0d || text.charCodeAt(contentEnd - 1) === 0x0a)) contentEnd--;
    const contentStart = skipGoSpace(text, lineStart, contentEnd);
    const line = text.slice(contentStart, contentEnd);
    if (!(lineNumber === 1 && line.startsWith('#!'))) {
      const match = directivePattern.exec(line);
      const name = match?.[1].toLowerCase();
      if (!match || !name || !knownDirectives.has(name)) break;
      const column = contentStart - lineStart + 1 - (lineNumber === 1 && lineStart === 1 ? 1 : 0);
      const range = {
        start: { line: lineNumber, column, offset: contentStart },
        end: { line: lineNumber, column: column + line.length, offset: contentEnd },
      };
      if (scan.directives.some((directive) => directive.name === name)) {
        scan.errors.push(new ParseError(ParseErrorCode.DuplicateDirective, `only one ${name} parser directive can be used`, range, file));
      } else {
        scan.directives.push({ name, value: match[2], range });
        scan.directiveOffsets.add(lineStart);
        if (name === 'escape') {
          if (match[2] === '\\' || match[2] === '`') {
            scan.escapeChar = match[2];
          } else {
            scan.errors.push(
              new ParseError(ParseErrorCode.InvalidDirective, `invalid escape token '${match[2]}' does not match \` or \\`, range, file),
            );
          }
        }
      }
    }
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  return scan;
}
