import { expect } from 'vitest';
import type { ParseError } from '../../../src/parser/errors.js';
import { toInstruction, type Instruction, type InstructionKind, type InstructionOf } from '../../../src/parser/instructions/index.js';
import type { SourcePosition, SourceRange } from '../../../src/parser/source-range.js';
import type { Heredoc, SyntaxArgument, SyntaxFlag, SyntaxNode } from '../../../src/parser/syntax-tree.js';

/**
 * Hand-built syntax nodes: the instruction is laid out on one line (keyword, flags, arguments) so that every flag
 * and argument gets a real range; heredoc bodies follow on the next lines.
 */
export interface HeredocSpec {
  name: string;
  content: string;
  chomp?: boolean;
  expand?: boolean;
  fileDescriptor?: number;
}

export interface NodeSpec {
  keyword: string;
  /** Flags as written, e.g. `--from=build` or `--link`; `{ name, value }` for values with `=` or odd characters. */
  flags?: Array<string | { name: string; value: string | undefined }>;
  /** Argument values; laid out separated by one space (or as a JSON array with `json`). */
  args?: string[];
  json?: boolean;
  /** ENV/LABEL: `[key, value]` laid out as `key=value`, or `[key, value, 'legacy']` as `key value`. */
  pairs?: Array<[string, string] | [string, string, 'legacy']>;
  /** Heredocs; each opener is the first not yet used argument containing `<<`. */
  heredocs?: HeredocSpec[];
  /** ONBUILD: the trigger. */
  child?: NodeSpec;
  /** ONBUILD: keep the trigger's heredocs on the ONBUILD node (as BuildKit's parser does). */
  heredocsOnParent?: boolean;
  line?: number;
}

const lineLength = 10_000;

function position(line: number, column: number): SourcePosition {
  return { line, column, offset: (line - 1) * lineLength + column - 1 };
}

function range(line: number, startColumn: number, endColumn: number): SourceRange {
  return { start: position(line, startColumn), end: position(line, endColumn) };
}

export function syntaxNode(spec: NodeSpec, startColumn = 1): SyntaxNode {
  const line = spec.line ?? 1;
  let text = '';
  let column = startColumn;
  const write = (part: string): SourceRange => {
    const start = column;
    text += part;
    column += part.length;
    return range(line, start, column);
  };
  const space = (): void => {
    if (text !== '') write(' ');
  };

  const keywordRange = write(spec.keyword);
  const flags: SyntaxFlag[] = (spec.flags ?? []).map((flag) => {
    space();
    const { name, value } =
      typeof flag === 'string'
        ? flag.includes('=')
          ? { name: flag.slice(2, flag.indexOf('=')), value: flag.slice(flag.indexOf('=') + 1) }
          : { name: flag.slice(2), value: undefined }
        : flag;
    const written = value === undefined ? `--${name}` : `--${name}=${value}`;
    return { name, value, text: written, range: write(written) };
  });

  const args: SyntaxArgument[] = [];
  let child: SyntaxNode | undefined;
  if (spec.child) {
    space();
    child = syntaxNode({ ...spec.child, line }, column);
    text += child.original;
    column += child.original.length;
  } else if (spec.pairs) {
    for (const [key, value, legacy] of spec.pairs) {
      space();
      const keyRange = write(key);
      if (legacy) {
        write(' ');
        const valueRange = write(value);
        args.push({ value: key, range: keyRange }, { value, range: valueRange }, { value: '', range: range(line, column, column) });
      } else {
        const equalsRange = write('=');
        const valueRange = write(value);
        args.push({ value: key, range: keyRange }, { value, range: valueRange }, { value: '=', range: equalsRange });
      }
    }
  } else if (spec.json) {
    space();
    write('[');
    (spec.args ?? []).forEach((arg, index) => {
      if (index > 0) write(', ');
      args.push({ value: arg, range: write(JSON.stringify(arg)) });
    });
    write(']');
  } else {
    for (const arg of spec.args ?? []) {
      space();
      args.push({ value: arg, range: write(arg) });
    }
  }

  const heredocs: Heredoc[] = [];
  let bodyLine = line + 1;
  const openers = child ? child.args : args;
  const usedOpeners = new Set<SyntaxArgument>();
  for (const heredoc of spec.child?.heredocs ?? spec.heredocs ?? []) {
    const opener = openers.find((arg) => !usedOpeners.has(arg) && arg.value.includes('<<'));
    if (opener) usedOpeners.add(opener);
    const bodyLines = heredoc.content.split('\n').length;
    heredocs.push({
      name: heredoc.name,
      fileDescriptor: heredoc.fileDescriptor,
      expand: heredoc.expand ?? true,
      chomp: heredoc.chomp ?? false,
      content: heredoc.content,
      openerRange: opener?.range ?? keywordRange,
      bodyRange: { start: position(bodyLine, 1), end: position(bodyLine + bodyLines, heredoc.name.length + 1) },
    });
    bodyLine += bodyLines;
  }

  let nodeHeredocs = heredocs;
  if (child) {
    // Decide where the trigger's heredocs live: on the trigger itself, or on the ONBUILD node.
    if (spec.heredocsOnParent) child.heredocs = [];
    else {
      child.heredocs = heredocs;
      nodeHeredocs = [];
    }
  }

  return {
    keyword: spec.keyword,
    name: spec.keyword.toUpperCase(),
    flags,
    args,
    json: spec.json ?? false,
    heredocs: nodeHeredocs,
    child,
    original: text,
    range: range(line, startColumn, column),
    keywordRange,
    startLine: line,
    endLine: heredocs.length > 0 ? bodyLine - 1 : line,
  };
}

export const context = { file: 'Dockerfile', escapeChar: '\\' } as const;

/** Converts and expects success; returns the instruction narrowed to `kind`. */
export function ok<K extends InstructionKind>(kind: K, spec: NodeSpec): InstructionOf<K> {
  const result = toInstruction(syntaxNode(spec), context);
  expect(result.errors.map((error) => error.message)).toEqual([]);
  expect(result.instruction?.kind).toBe(kind);
  return result.instruction as InstructionOf<K>;
}

/** Converts and expects failure; returns the errors. */
export function fail(spec: NodeSpec): ParseError[] {
  const result = toInstruction(syntaxNode(spec), context);
  expect(result.instruction).toBeUndefined();
  expect(result.errors.length).toBeGreaterThan(0);
  return result.errors;
}

/** `[code, detail]` of each error, for compact assertions. */
export function summary(errors: readonly ParseError[]): Array<[string, string]> {
  return errors.map((error) => [error.code, error.detail]);
}

export type { Instruction };
