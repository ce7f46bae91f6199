import { ParseError, ParseErrorCode } from './errors.js';
import { extractFlagWords, splitOnWhitespace, splitQuotedWords, type WordSpan } from './flag-words.js';
import { isGoSpace, isSplitSpace, skipGoSpace, skipGoSpaceBackward } from './go-text.js';
import { parseJsonArray } from './json-array.js';
import type { LogicalLine } from './logical-line.js';
import type { SyntaxArgument, SyntaxFlag, SyntaxNode } from './syntax-tree.js';

/** The instructions BuildKit's parser knows; any other keyword parses to one empty argument. */
export const knownKeywords = new Set([
  'add', 'arg', 'cmd', 'copy', 'entrypoint', 'env', 'expose', 'from', 'healthcheck', 'label', 'maintainer',
  'onbuild', 'run', 'shell', 'stopsignal', 'user', 'volume', 'workdir',
]);

const upperKeywords = new Map([...knownKeywords].map((keyword) => [keyword, keyword.toUpperCase()]));

export interface LineContext {
  line: LogicalLine;
  escape: number;
  file: string | undefined;
  errors: ParseError[];
}

interface ArgsResult {
  args: WordSpan[];
  json: boolean;
  child?: SyntaxNode;
}

type LineParser = (context: LineContext, keyword: string, from: number, to: number) => ArgsResult;

const none: ArgsResult = { args: [], json: false };

function fail(context: LineContext, code: ParseError['code'], message: string, from: number, to: number): ArgsResult {
  context.errors.push(new ParseError(code, message, context.line.range(from, to), context.file));
  return none;
}

function jsonOr(context: LineContext, from: number, to: number, fallback: () => ArgsResult): ArgsResult {
  const start = skipGoSpace(context.line.text, from, to);
  const json = parseJsonArray(context.line.text, start, to);
  if (json.kind === 'strings') return { args: json.items, json: true };
  if (json.kind === 'not-strings') {
    return fail(context, ParseErrorCode.JsonNotStrings, 'when using JSON array syntax, arrays must be comprised of strings only', from, to);
  }
  return fallback();
}

/** ADD, COPY, VOLUME: a JSON array, or words split on white space with no quote handling. */
const jsonOrList: LineParser = (context, _keyword, from, to) =>
  jsonOr(context, from, to, () => (from === to ? none : { args: splitOnWhitespace(context.line.text, from, to), json: false }));

/** RUN, CMD, ENTRYPOINT, SHELL: a JSON array, or the whole rest as one string. */
const jsonOrString: LineParser = (context, _keyword, from, to) => {
  if (from === to) return none;
  return jsonOr(context, from, to, () => ({ args: [{ value: context.line.text.slice(from, to), start: from, end: to }], json: false }));
};

/** MAINTAINER, USER, WORKDIR, STOPSIGNAL: the rest as one string. */
const wholeString: LineParser = (context, _keyword, from, to) =>
  from === to ? none : { args: [{ value: context.line.text.slice(from, to), start: from, end: to }], json: false };

/** FROM, EXPOSE. */
const whitespaceWords: LineParser = (context, _keyword, from, to) =>
  from === to ? none : { args: splitOnWhitespace(context.line.text, from, to), json: false };

/** ARG: quote-aware words, each kept as written. */
const quotedWords: LineParser = (context, _keyword, from, to) => ({
  args: splitQuotedWords(context.line.text, from, to, context.escape),
  json: false,
});

/** ENV and LABEL: `key value` (old form) or `key=value ...`, each pair as key, value and separator. */
const nameValue: LineParser = (context, keyword, from, to) => {
  const text = context.line.text;
  const words = splitQuotedWords(text, from, to, context.escape);
  if (words.length === 0) return none;
  const upper = keyword.toUpperCase();
  if (!words[0].value.includes('=')) {
    const parts = splitOnWhitespace(text, from, to, 2);
    if (parts.length < 2) {
      return fail(context, ParseErrorCode.MissingArguments, `${upper} must have two arguments`, from, to);
    }
    return { args: [parts[0], parts[1], { value: '', start: to, end: to }], json: false };
  }
  const args: WordSpan[] = [];
  for (const word of words) {
    const equals = word.value.indexOf('=');
    if (equals === -1) {
      return fail(
        context,
        ParseErrorCode.InvalidArguments,
        `Syntax error - can't find = in "${word.value}". Must be of the form: name=value`,
        word.start,
        word.end,
      );
    }
    const equalsAt = text.indexOf('=', word.start);
    args.push(
      { value: word.value.slice(0, equals), start: word.start, end: equalsAt },
      { value: word.value.slice(equals + 1), start: equalsAt + 1, end: word.end },
      { value: '=', start: equalsAt, end: equalsAt + 1 },
    );
  }
  return { args, json: false };
};

/** HEALTHCHECK: the type word (CMD, NONE...), then as CMD. */
const healthcheck: LineParser = (context, keyword, from, to) => {
  const text = context.line.text;
  let separator = from;
  while (separator < to && !isGoSpace(text.charCodeAt(separator))) separator++;
  if (separator === from) return none;
  const next = skipGoSpace(text, separator, to);
  const command = jsonOrString(context, keyword, next, to);
  return { args: [{ value: text.slice(from, separator), start: from, end: separator }, ...command.args], json: command.json };
};

/** ONBUILD: the rest is an instruction of its own. */
const subCommand: LineParser = (context, _keyword, from, to) => {
  if (from === to) return none;
  const child = buildNode(context, from, to);
  return child ? { args: [], json: false, child } : none;
};

/** Unknown keywords: one empty argument, as BuildKit's parser gives them. */
const ignored: LineParser = (_context, _keyword, from) => ({ args: [{ value: '', start: from, end: from }], json: false });

const lineParsers: Record<string, LineParser> = {
  add: jsonOrList,
  copy: jsonOrList,
  volume: jsonOrList,
  run: jsonOrString,
  cmd: jsonOrString,
  entrypoint: jsonOrString,
  shell: jsonOrString,
  maintainer: wholeString,
  user: wholeString,
  workdir: wholeString,
  stopsignal: wholeString,
  from: whitespaceWords,
  expose: whitespaceWords,
  arg: quotedWords,
  env: nameValue,
  label: nameValue,
  healthcheck,
  onbuild: subCommand,
};

function toFlag(context: LineContext, word: WordSpan): SyntaxFlag {
  const body = word.value.slice(2);
  const equals = body.indexOf('=');
  return {
    name: equals === -1 ? body : body.slice(0, equals),
    value: equals === -1 ? undefined : body.slice(equals + 1),
    text: word.value,
    range: context.line.range(word.start, word.end),
  };
}

function toArgument(context: LineContext, word: WordSpan): SyntaxArgument {
  return { value: word.value, range: context.line.range(word.start, word.end) };
}

/**
 * BuildKit's `newNodeFromLine` over `[from, to)` of the logical line: split off the keyword, extract the flags,
 * and split the arguments the way the keyword's line parser does. Returns undefined for an empty line.
 */
export function buildNode(context: LineContext, from: number, to: number): SyntaxNode | undefined {
  const text = context.line.text;
  const start = skipGoSpace(text, from, to);
  const end = skipGoSpaceBackward(text, to, start);
  if (start === end) return undefined;
  let keywordEnd = start;
  while (keywordEnd < end && !isSplitSpace(text.charCodeAt(keywordEnd))) keywordEnd++;
  const keyword = text.slice(start, keywordEnd);
  let flags: WordSpan[] = [];
  let restStart = end;
  if (keywordEnd < end) {
    let flagsFrom = keywordEnd;
    while (flagsFrom < end && isSplitSpace(text.charCodeAt(flagsFrom))) flagsFrom++;
    const extracted = extractFlagWords(text, flagsFrom, end, context.escape);
    flags = extracted.flags;
    restStart = skipGoSpace(text, extracted.restStart, end);
  }
  const lower = keyword.toLowerCase();
  const parsed = (lineParsers[lower] ?? ignored)(context, lower, restStart, end);
  return {
    keyword,
    name: upperKeywords.get(lower) ?? keyword.toUpperCase(),
    flags: flags.map((flag) => toFlag(context, flag)),
    args: parsed.args.map((arg) => toArgument(context, arg)),
    json: parsed.json,
    heredocs: [],
    child: parsed.child,
    original: text.slice(start, end),
    range: context.line.range(start, end),
    keywordRange: context.line.range(start, keywordEnd),
    startLine: context.line.line(context.line.offset(start)),
    endLine: context.line.line(context.line.endOffset(end)),
  };
}
