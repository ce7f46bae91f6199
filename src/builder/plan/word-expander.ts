import { expandWordWithMatches, expandWords, type SourceRange } from '../../parser/index.js';
import { BuildErrorCode, VariableExpansionError } from '../errors.js';

/** Names a step's words referenced: `matched` were set (possibly empty), `unmatched` were not set. */
export interface VariableUse {
  matched: string[];
  unmatched: string[];
}

export type VariableLookup = (name: string) => string | undefined;

/**
 * Expands words the way BuildKit's `shell.Lex` does for one instruction, collecting every variable referenced, and
 * turning expansion failures into located errors.
 */
export class WordExpander {
  private readonly matched = new Set<string>();
  private readonly unmatched = new Set<string>();

  constructor(
    private readonly lookup: VariableLookup,
    private readonly escapeChar: '\\' | '`',
    private readonly file: string,
    /** Where errors are reported (the instruction, or the FROM line for ONBUILD triggers). */
    private readonly location: SourceRange,
  ) {}

  /** `ProcessWord`: variables expanded, quotes and escapes removed, white space kept. */
  word(text: string): string {
    return this.run(text, () => this.track(text, { escapeToken: this.escapeChar }));
  }

  /** `ProcessWords`: like `word`, then split into fields on unquoted white space. */
  words(text: string): string[] {
    return this.run(text, () => {
      this.track(text, { escapeToken: this.escapeChar });
      return expandWords(text, this.lookup, { escapeToken: this.escapeChar });
    });
  }

  /** The raw mode BuildKit uses for heredoc bodies: backslash escapes, quotes left alone. */
  raw(text: string): string {
    return this.run(text, () => this.track(text, { escapeToken: '\\', skipProcessQuotes: true }));
  }

  /** What was referenced so far, sorted. */
  used(): VariableUse {
    return { matched: [...this.matched].sort(), unmatched: [...this.unmatched].sort() };
  }

  private track(text: string, options: Parameters<typeof expandWordWithMatches>[2]): string {
    const result = expandWordWithMatches(text, this.lookup, options);
    for (const name of result.matched) this.matched.add(name);
    for (const name of result.unmatched) this.unmatched.add(name);
    return result.value;
  }

  private run<T>(text: string, expand: () => T): T {
    try {
      return expand();
    } catch (error) {
      const detail = error instanceof Error ? ((error as { detail?: string }).detail ?? error.message) : String(error);
      throw new VariableExpansionError(BuildErrorCode.ExpansionFailed, `failed to expand ${JSON.stringify(text)}: ${detail}`, {
        location: { file: this.file, range: this.location },
        hint: 'Fix the variable reference (for example close the brace, or define the variable a ${VAR:?message} requires)',
        cause: error,
      });
    }
  }
}
