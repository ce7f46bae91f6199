/**
 * Go's `path.Match` (the glob BuildKit applies to COPY/ADD sources, and the syntax check Docker runs on every
 * .dockerignore pattern), with its exact quirks:
 *
 * - `*` matches any run of non-`/` characters, `?` one non-`/` character;
 * - `[...]` / `[^...]` classes with `a-z` ranges and `\` escapes match any one character, `/` included;
 * - `\c` matches `c`;
 * - the pattern is cut into chunks at stars, and a chunk that matches at the first possible position is kept
 *   (no backtracking into an earlier star once a later chunk matched);
 * - a malformed pattern is an error even when the name fails to match early.
 *
 * Text is handled as code points (Go ranges over runes).
 */
import { codePoints } from './paths.js';

/** The pattern is malformed (Go's `path.ErrBadPattern`). */
export class BadPatternError extends Error {
  override readonly name = 'BadPatternError';
  constructor(pattern: string) {
    super(`syntax error in pattern '${pattern}'`);
  }
}

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const BACKSLASH = 0x5c;
const CARET = 0x5e;
const DASH = 0x2d;
const SLASH = 0x2f;

class Malformed extends Error {}

/** Whether `name` matches the Go glob `pattern`; throws BadPatternError for a malformed pattern. */
export function goMatch(pattern: string, name: string): boolean {
  try {
    return matchCodePoints(codePoints(pattern), codePoints(name));
  } catch (error) {
    if (error instanceof Malformed) throw new BadPatternError(pattern);
    throw error;
  }
}

/** Whether `pattern` is well-formed for Go's path.Match. */
export function isValidGoPattern(pattern: string): boolean {
  try {
    goMatch(pattern, '.');
    return true;
  } catch (error) {
    if (error instanceof BadPatternError) return false;
    throw error;
  }
}

/**
 * BuildKit's `containsWildcards`: an unescaped `*`, `?` or `[`. Without one a source is looked up literally
 * (backslashes included).
 */
export function hasWildcards(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === BACKSLASH) i++;
    else if (ch === STAR || ch === QUESTION || ch === OPEN) return true;
  }
  return false;
}

interface Chunk {
  readonly star: boolean;
  readonly chunk: number[];
  readonly rest: number[];
}

/** Leading stars, then the text up to the next star outside a class. */
function scanChunk(pattern: number[]): Chunk {
  let start = 0;
  while (start < pattern.length && pattern[start] === STAR) start++;
  let inClass = false;
  let i = start;
  for (; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === BACKSLASH) {
      if (i + 1 < pattern.length) i++;
    } else if (ch === OPEN) {
      inClass = true;
    } else if (ch === CLOSE) {
      inClass = false;
    } else if (ch === STAR && !inClass) {
      break;
    }
  }
  return { star: start > 0, chunk: pattern.slice(start, i), rest: pattern.slice(i) };
}

function matchCodePoints(pattern: number[], name: number[]): boolean {
  let rest = pattern;
  let text = name;
  outer: while (rest.length > 0) {
    const { star, chunk, rest: after } = scanChunk(rest);
    rest = after;
    if (star && chunk.length === 0) return !text.includes(SLASH);
    const here = matchChunk(chunk, text);
    if (here !== undefined && (here.length === 0 || rest.length > 0)) {
      text = here;
      continue;
    }
    if (star) {
      for (let i = 0; i < text.length && text[i] !== SLASH; i++) {
        const skipped = matchChunk(chunk, text.slice(i + 1));
        if (skipped === undefined) continue;
        if (rest.length === 0 && skipped.length > 0) continue;
        text = skipped;
        continue outer;
      }
    }
    // No match: still report a malformed remainder, as Go does.
    while (rest.length > 0) {
      const next = scanChunk(rest);
      rest = next.rest;
      matchChunk(next.chunk, []);
    }
    return false;
  }
  return text.length === 0;
}

/** One escaped-or-plain class character; throws Malformed like Go's getEsc. */
function classChar(chunk: number[], at: number): { value: number; next: number } {
  if (at >= chunk.length || chunk[at] === DASH || chunk[at] === CLOSE) throw new Malformed();
  let i = at;
  if (chunk[i] === BACKSLASH) {
    i++;
    if (i >= chunk.length) throw new Malformed();
  }
  const value = chunk[i];
  i++;
  if (i >= chunk.length) throw new Malformed();
  return { value, next: i };
}

/**
 * Matches `chunk` (no stars) at the start of `text`: the rest of `text`, or undefined when it does not match.
 * The whole chunk is always parsed so that malformed syntax throws.
 */
function matchChunk(chunk: number[], text: number[]): number[] | undefined {
  let failed = false;
  let t = 0;
  let c = 0;
  while (c < chunk.length) {
    if (!failed && t >= text.length) failed = true;
    const ch = chunk[c];
    if (ch === OPEN) {
      const r = failed ? -1 : text[t++];
      c++;
      let negated = false;
      if (c < chunk.length && chunk[c] === CARET) {
        negated = true;
        c++;
      }
      let matched = false;
      let ranges = 0;
      for (;;) {
        if (c < chunk.length && chunk[c] === CLOSE && ranges > 0) {
          c++;
          break;
        }
        const lo = classChar(chunk, c);
        let hi = lo;
        if (chunk[lo.next] === DASH) hi = classChar(chunk, lo.next + 1);
        c = hi.next;
        if (lo.value <= r && r <= hi.value) matched = true;
        ranges++;
      }
      if (matched === negated) failed = true;
    } else if (ch === QUESTION) {
      if (!failed) {
        if (text[t] === SLASH) failed = true;
        t++;
      }
      c++;
    } else {
      if (ch === BACKSLASH) {
        c++;
        if (c >= chunk.length) throw new Malformed();
      }
      if (!failed) {
        if (chunk[c] !== text[t]) failed = true;
        t++;
      }
      c++;
    }
  }
  return failed ? undefined : text.slice(t);
}
