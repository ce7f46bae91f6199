import { formatLocation, type SourceRange } from './source-range.js';
import { CodedError } from '../errors/index.js';

/**
 * Stable error codes. Tools may switch on them; never rename one, only add.
 */
export const ParseErrorCode = {
  EmptyFile: 'DOCKERFILE_EMPTY',
  UnknownInstruction: 'UNKNOWN_INSTRUCTION',
  InvalidDirective: 'INVALID_DIRECTIVE',
  DuplicateDirective: 'DUPLICATE_DIRECTIVE',
  LineTooLong: 'LINE_TOO_LONG',
  JsonNotStrings: 'JSON_ARRAY_NOT_STRINGS',
  MissingArguments: 'MISSING_ARGUMENTS',
  InvalidArguments: 'INVALID_ARGUMENTS',
  UnknownFlag: 'UNKNOWN_FLAG',
  DuplicateFlag: 'DUPLICATE_FLAG',
  InvalidFlagValue: 'INVALID_FLAG_VALUE',
  UnterminatedHeredoc: 'UNTERMINATED_HEREDOC',
  InvalidHeredoc: 'INVALID_HEREDOC',
  Expansion: 'EXPANSION_ERROR',
  Syntax: 'SYNTAX_ERROR',
} as const;

export type ParseErrorCode = (typeof ParseErrorCode)[keyof typeof ParseErrorCode];

/**
 * Every problem the parser finds in a Dockerfile. `message` is the human text without location;
 * `toString()`/`formatted` give `file:line:column: message`.
 */
export class ParseError extends CodedError<ParseErrorCode> {
  override readonly name: string = 'ParseError';
  readonly range: SourceRange | undefined;
  readonly file: string | undefined;
  /** The bare description, without the location prefix. */
  readonly detail: string;

  constructor(code: ParseErrorCode, detail: string, range?: SourceRange, file?: string) {
    super(code, range ? `${formatLocation(file, range.start)}: ${detail}` : detail);
    this.detail = detail;
    this.range = range;
    this.file = file;
  }

  /** The same error attributed to a named file. */
  withFile(file: string): ParseError {
    const copy = Object.create(Object.getPrototypeOf(this)) as ParseError;
    Object.assign(copy, this, { file, message: this.range ? `${formatLocation(file, this.range.start)}: ${this.detail}` : this.detail });
    copy.stack = this.stack;
    return copy;
  }
}

/** A flag that is unknown, repeated or has a bad value. */
export class FlagError extends ParseError {
  override readonly name = 'FlagError';
}

/** A heredoc that never ends or is malformed. */
export class HeredocError extends ParseError {
  override readonly name = 'HeredocError';
}

/** A word that cannot be expanded (`${V:?message}`, bad substitution, unterminated quote). */
export class ExpansionError extends ParseError {
  override readonly name = 'ExpansionError';
}

/** Thrown by `parseOrThrow` when a file has one or more errors; `errors` holds all of them. */
export class DockerfileSyntaxError extends ParseError {
  override readonly name = 'DockerfileSyntaxError';
  readonly errors: ParseError[];

  constructor(errors: ParseError[]) {
    const first = errors[0];
    super(first.code, first.detail + (errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : ''), first.range, first.file);
    this.errors = errors;
  }
}

/** A non-fatal finding, e.g. BuildKit's empty-continuation-line warning. */
export interface ParseWarning {
  code: string;
  message: string;
  range: SourceRange;
}
