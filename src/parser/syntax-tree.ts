import type { SourceRange } from './source-range.js';

/** A parser directive from the leading comments: `# syntax=...`, `# escape=...`, `# check=...`. */
export interface Directive {
  /** Lower-cased name. */
  name: string;
  value: string;
  range: SourceRange;
}

/** `--name=value` (or bare `--name`) written before an instruction's arguments. */
export interface SyntaxFlag {
  /** The name without the leading dashes, as written. */
  name: string;
  /** The value after `=`, with quotes and escapes removed; `undefined` for a bare `--name`. */
  value: string | undefined;
  /** The flag as BuildKit's dump prints it: `--name=value` after quote removal. */
  text: string;
  range: SourceRange;
}

/** One argument of an instruction (BuildKit's `Node.Next` values), with its place in the source. */
export interface SyntaxArgument {
  value: string;
  range: SourceRange;
}

/** A heredoc opened on an instruction line (`<<EOF`, `<<-EOF`, `3<<"EOF"`) and the body read for it. */
export interface Heredoc {
  /** Terminator name with quotes removed. */
  name: string;
  /** The file descriptor digits before `<<`, when written. */
  fileDescriptor: number | undefined;
  /** False when any part of the name was quoted: then the body is not variable-expanded. */
  expand: boolean;
  /** `<<-`: leading tabs are stripped from the body (see `heredocContent`). */
  chomp: boolean;
  /** The raw body, each line with its line ending, without the terminator line. */
  content: string;
  /** The opening word on the instruction line. */
  openerRange: SourceRange;
  /** The body and terminator lines. */
  bodyRange: SourceRange;
}

/**
 * One instruction as the syntax gives it, in BuildKit's node model: the keyword, flags, the argument values as the
 * instruction's line parser split them, exec (JSON) form or not, heredocs, and for ONBUILD the trigger instruction.
 */
export interface SyntaxNode {
  /** The keyword as written (`run`, `Run`, `RUN`...). */
  keyword: string;
  /** Upper-cased keyword: `RUN`, `COPY`, or the unknown word upper-cased. */
  name: string;
  flags: SyntaxFlag[];
  args: SyntaxArgument[];
  /** The arguments came from a JSON array (exec form). */
  json: boolean;
  heredocs: Heredoc[];
  /** For ONBUILD: the trigger instruction. */
  child: SyntaxNode | undefined;
  /** The logical line after continuation joining, from the keyword on (BuildKit's `Node.Original`). */
  original: string;
  /** From the keyword to the end of the last physical line consumed (continuations, heredoc terminators). */
  range: SourceRange;
  keywordRange: SourceRange;
  /** 1-based first and last physical lines, as BuildKit's StartLine/EndLine. */
  startLine: number;
  endLine: number;
}

export interface Comment {
  text: string;
  range: SourceRange;
}

/** The whole file at the syntax level. */
export interface SyntaxTree {
  directives: Directive[];
  escapeChar: '\\' | '`';
  nodes: SyntaxNode[];
  comments: Comment[];
}

/** BuildKit's `ChompHeredocContent`: with `<<-`, leading tabs are removed from every body line. */
export function heredocContent(heredoc: Heredoc): string {
  return heredoc.chomp ? heredoc.content.replace(/^\t+/gm, '') : heredoc.content;
}
