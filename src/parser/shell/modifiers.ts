import { CH_HASH, CH_MINUS, CH_PERCENT, CH_PLUS, CH_QUESTION } from './chars.js';
import { PatternError } from './glob-pattern.js';
import { replaceAll, replaceFirst, trimPrefix, trimSuffix } from './pattern-ops.js';

/** A `${...}` form that cannot be evaluated; `message` is the BuildKit-style text. */
export class ModifierError extends Error {
  override readonly name = 'ModifierError';
}

/**
 * Evaluates `${name<op>word}` once `word` has been expanded. `op` is the character after
 * the name (or after `:`), `nullIsUnset` is true for the `:` forms, `spelled` is the
 * operator as written (for messages). `value` is `undefined` when the variable is unset.
 */
export function applyModifier(
  name: string,
  op: number,
  spelled: string,
  nullIsUnset: boolean,
  word: string,
  value: string | undefined,
): string {
  const missing = value === undefined || (nullIsUnset && value === '');
  switch (op) {
    case CH_MINUS:
      return missing ? word : (value as string);
    case CH_PLUS:
      return missing ? '' : word;
    case CH_QUESTION:
      if (value === undefined) throw new ModifierError(`${name}: ${word !== '' ? word : 'is not allowed to be unset'}`);
      if (missing) throw new ModifierError(`${name}: ${word !== '' ? word : 'is not allowed to be empty'}`);
      return value;
    case CH_HASH:
    case CH_PERCENT: {
      const greedy = word.length > 0 && word.charCodeAt(0) === op;
      const pattern = greedy ? word.slice(1) : word;
      return guardPattern(() =>
        op === CH_HASH ? trimPrefix(pattern, value ?? '', greedy) : trimSuffix(pattern, value ?? '', greedy),
      );
    }
    default:
      throw new ModifierError(`unsupported modifier (${spelled}) in substitution`);
  }
}

/** Evaluates `${name/pattern/replacement}` (`all` for `//`). */
export function applyReplace(pattern: string, replacement: string, all: boolean, value: string | undefined): string {
  const subject = value ?? '';
  return guardPattern(() =>
    all ? replaceAll(pattern, subject, replacement) : replaceFirst(pattern, subject, replacement),
  );
}

function guardPattern(run: () => string): string {
  try {
    return run();
  } catch (error) {
    if (error instanceof PatternError) throw new ModifierError(error.message);
    throw error;
  }
}
