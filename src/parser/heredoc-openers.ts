import { ParseError, ParseErrorCode } from './errors.js';
import { expandWords } from './shell/index.js';
import type { LogicalLine } from './logical-line.js';
import type { SyntaxNode } from './syntax-tree.js';
import type { SourceRange } from './source-range.js';

/** A heredoc named on an instruction line, before its body is read. */
export interface HeredocOpener {
  name: string;
  fileDescriptor: number | undefined;
  expand: boolean;
  chomp: boolean;
  range: SourceRange;
}

const heredocWord = /^(\d*)<<(-?)\s*([^<]*)$/;
const heredocInstructions = new Set(['ADD', 'COPY', 'RUN']);
const noVariables = (): undefined => undefined;

/** RUN, COPY and ADD (also as an ONBUILD trigger) in shell form may open heredocs. */
export function canContainHeredoc(node: SyntaxNode): boolean {
  const target = node.name === 'ONBUILD' && node.child ? node.child : node;
  return heredocInstructions.has(target.name) && !target.json;
}

function countQuotes(word: string): number {
  let count = 0;
  for (let index = 0; index < word.length; index++) {
    const code = word.charCodeAt(index);
    if (code === 0x22 || code === 0x27) count++;
  }
  return count;
}

/**
 * BuildKit's `ParseHeredoc` for one word: `[fd]<<[-]NAME`. The name is read with quotes processed; if quoting
 * removed any quote characters, some part was quoted and the body is not expanded.
 */
function parseHeredocWord(word: string): Omit<HeredocOpener, 'range'> | undefined {
  const match = heredocWord.exec(word);
  if (!match || match[3].length === 0) return undefined;
  const options = { skipUnsetEnv: true } as const;
  const names = expandWords(match[3], noVariables, options);
  if (names.length !== 1) return undefined;
  const rawNames = expandWords(match[3], noVariables, { ...options, rawQuotes: true });
  if (rawNames.length !== 1) return undefined;
  return {
    name: names[0],
    fileDescriptor: match[1] === '' ? undefined : Number(match[1]),
    expand: countQuotes(names[0]) === countQuotes(rawNames[0]),
    chomp: match[2] === '-',
  };
}

/**
 * The heredocs a logical line opens, in order. The line is split into words by the shell lexer (always with `\`,
 * whatever the escape directive says, as BuildKit does), keeping quotes and escapes as written.
 */
export function findHeredocOpeners(line: LogicalLine, file: string | undefined, errors: ParseError[]): HeredocOpener[] {
  const text = line.text;
  if (!text.includes('<<')) return [];
  let words: string[];
  try {
    words = expandWords(text, noVariables, { rawQuotes: true, rawEscapes: true });
  } catch {
    return [];
  }
  const openers: HeredocOpener[] = [];
  let searchFrom = 0;
  for (const word of words) {
    if (!word.includes('<<')) continue;
    const at = text.indexOf(word, searchFrom);
    const range = at === -1 ? line.range(0, text.length) : line.range(at, at + word.length);
    if (at !== -1) searchFrom = at + word.length;
    try {
      const opener = parseHeredocWord(word);
      if (opener) openers.push({ ...opener, range });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      errors.push(new ParseError(ParseErrorCode.InvalidHeredoc, `invalid heredoc ${word}: ${detail}`, range, file));
    }
  }
  return openers;
}
