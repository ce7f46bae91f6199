/** Options mirroring the fields of BuildKit's `shell.Lex`. All default to `false` / `\`. */
export interface ExpandOptions {
  /** The escape character; `# escape=`` ` switches a Dockerfile to the backtick. Default `\`. */
  escapeToken?: '\\' | '`';
  /** Keep the quote characters in the output (BuildKit `RawQuotes`). */
  rawQuotes?: boolean;
  /** Keep escape characters in the output (BuildKit `RawEscapes`). */
  rawEscapes?: boolean;
  /** Leave references to unset variables as written, e.g. `$UNSET` or `${UNSET:-x}` (BuildKit `SkipUnsetEnv`). */
  skipUnsetEnv?: boolean;
  /** Treat `'` and `"` as ordinary characters (BuildKit `SkipProcessQuotes`). */
  skipProcessQuotes?: boolean;
}

/**
 * Where variable values come from. A lookup function returns `undefined` for an unset
 * variable; a map or record holds the set variables (an empty string is set-but-empty).
 */
export type Environment =
  | ((name: string) => string | undefined)
  | ReadonlyMap<string, string>
  | Readonly<Record<string, string>>;

/** The result of {@link expandWordWithMatches} (BuildKit `ProcessWordWithMatches`). */
export interface ExpansionWithMatches {
  /** The expanded word. */
  value: string;
  /** Names that were referenced and set (possibly to the empty string). */
  matched: Set<string>;
  /** Names that were referenced but unset. */
  unmatched: Set<string>;
}
