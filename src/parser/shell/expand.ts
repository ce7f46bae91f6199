import { toLookup } from './environment.js';
import { lexWord } from './lexer.js';
import type { Environment, ExpandOptions, ExpansionWithMatches } from './types.js';

/**
 * Expands variables in `word` and removes quotes and escapes, keeping whitespace
 * (BuildKit `ProcessWord`). Throws `ExpansionError` (code `EXPANSION_ERROR`) for
 * `${V:?msg}`, bad substitutions, unknown modifiers, invalid patterns and unterminated
 * quotes or braces.
 */
export function expandWord(word: string, env: Environment, options?: ExpandOptions): string {
  return lexWord(word, toLookup(env), options, false, null).value;
}

/**
 * Like {@link expandWord}, then splits the result into fields on whitespace that was not
 * quoted or escaped (BuildKit `ProcessWords`). Expansion results split too; empty fields
 * are dropped.
 */
export function expandWords(word: string, env: Environment, options?: ExpandOptions): string[] {
  return lexWord(word, toLookup(env), options, true, null).words as string[];
}

/**
 * Like {@link expandWord}, also reporting which variable names were referenced and set
 * (`matched`) or referenced and unset (`unmatched`) (BuildKit `ProcessWordWithMatches`).
 */
export function expandWordWithMatches(word: string, env: Environment, options?: ExpandOptions): ExpansionWithMatches {
  const tracking = { matched: new Set<string>(), unmatched: new Set<string>() };
  const { value } = lexWord(word, toLookup(env), options, false, tracking);
  return { value, matched: tracking.matched, unmatched: tracking.unmatched };
}
