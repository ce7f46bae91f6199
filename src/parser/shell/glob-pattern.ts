import { CH_BACKSLASH, CH_BOM, CH_QUESTION, CH_RIGHT_BRACE, CH_SLASH, CH_STAR, codePointAt, codePointWidth } from './chars.js';
import { GlobMatcher, TOKEN_ANY, TOKEN_STAR } from './glob-matcher.js';

/** A pattern BuildKit would refuse (`${V#\x}`); `message` is the complete error text. */
export class PatternError extends Error {
  override readonly name = 'PatternError';
}

/** A glob ready to run: `literal` is set when the pattern has no wildcard (fast path). */
export interface CompiledGlob {
  /** The exact text the pattern matches, in the value's reading order; `null` when wildcards (or surrogates) are involved. */
  readonly literal: string | null;
  readonly matcher: GlobMatcher;
}

/**
 * Tokenises a `${V#pattern}` / `${V/pattern/...}` glob the way BuildKit's
 * `convertShellPatternToRegex` reads it: `*` any run, `?` any one character (neither crosses a
 * newline, as Go's `.` does not), `\*` `\?` `\\` literal, `\}` and `\/` drop the backslash;
 * any other escape is an error. Every other character, `[` and `]` included, is literal:
 * BuildKit has no bracket expressions. A leading U+FEFF is skipped, as Go's scanner does.
 */
export function parseGlob(pattern: string): Int32Array {
  const tokens: number[] = [];
  const length = pattern.length;
  let i = length > 0 && pattern.charCodeAt(0) === CH_BOM ? 1 : 0;
  while (i < length) {
    const cp = codePointAt(pattern, i);
    i += codePointWidth(cp);
    if (cp === CH_STAR) {
      if (tokens.length === 0 || tokens[tokens.length - 1] !== TOKEN_STAR) tokens.push(TOKEN_STAR);
      continue;
    }
    if (cp === CH_QUESTION) {
      tokens.push(TOKEN_ANY);
      continue;
    }
    if (cp === CH_BACKSLASH) {
      if (i >= length) throw new PatternError("invalid escape '\\' at end of pattern");
      const escaped = codePointAt(pattern, i);
      // `\}` and `\/` only keep the delimiter out of ${...}; the character itself is read next.
      if (escaped === CH_RIGHT_BRACE || escaped === CH_SLASH) continue;
      i += codePointWidth(escaped);
      if (escaped !== CH_STAR && escaped !== CH_QUESTION && escaped !== CH_BACKSLASH) {
        throw new PatternError(`invalid escape '\\${String.fromCodePoint(escaped)}'`);
      }
      tokens.push(escaped);
      continue;
    }
    tokens.push(cp);
  }
  return Int32Array.from(tokens);
}

/**
 * BuildKit's `reversePattern`: reverses the characters but keeps each `\x` pair in order
 * (a trailing lone `\` is reversed like any other character). Used for `%`/`%%`.
 */
export function reverseGlob(pattern: string): string {
  const chars = Array.from(pattern);
  const last = chars.length - 1;
  const out = new Array<string>(chars.length);
  for (let i = 0; i <= last; ) {
    const target = last - i;
    if (chars[i] === '\\' && i !== last) {
      out[target - 1] = '\\';
      out[target] = chars[i + 1];
      i += 2;
    } else {
      out[target] = chars[i];
      i += 1;
    }
  }
  return out.join('');
}

function literalOf(tokens: Int32Array, reversed: boolean): string | null {
  const units: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    // Wildcards need the matcher; surrogates need code-point-exact comparison.
    if (token < 0 || (token >= 0xd800 && token <= 0xdfff) || token > 0xffff) return null;
    units.push(token);
  }
  if (reversed) units.reverse();
  let text = '';
  for (let i = 0; i < units.length; i += 8192) text += String.fromCharCode(...units.slice(i, i + 8192));
  return text;
}

const CACHE_LIMIT = 256;
const CACHEABLE_LENGTH = 4096;
const forwardCache = new Map<string, CompiledGlob | PatternError>();
const reverseCache = new Map<string, CompiledGlob | PatternError>();

/**
 * Compiles (and caches) a glob. `reversed` compiles BuildKit's reversed form, to be run
 * backwards from the end of a value (suffix removal). Throws {@link PatternError} with
 * BuildKit's `invalid pattern (...) in substitution: ...` text.
 */
export function compileGlob(pattern: string, reversed: boolean): CompiledGlob {
  const cache = reversed ? reverseCache : forwardCache;
  const cached = cache.get(pattern);
  let result: CompiledGlob | PatternError;
  if (cached !== undefined) {
    result = cached;
  } else {
    try {
      const tokens = parseGlob(reversed ? reverseGlob(pattern) : pattern);
      result = { literal: literalOf(tokens, reversed), matcher: new GlobMatcher(tokens) };
    } catch (error) {
      if (!(error instanceof PatternError)) throw error;
      result = new PatternError(`invalid pattern (${pattern}) in substitution: ${error.message}`);
    }
    if (pattern.length <= CACHEABLE_LENGTH) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(pattern, result);
    }
  }
  if (result instanceof PatternError) throw result;
  return result;
}
