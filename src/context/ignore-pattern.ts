/**
 * One .dockerignore pattern as moby/patternmatcher compiles it: a cleaned pattern is matched against a
 * root-relative path either exactly, as a prefix (`dir/**`), as a suffix (`**` + literal), or through the
 * regular expression Docker builds (`*` → `[^/]*`, `?` → `[^/]`, `**` → any number of directories, `[`, `]`,
 * `^` and `\`-escapes passed to Go's regexp unchanged; `.+()|{}$` taken literally).
 */
import { DockerignorePatternError } from './errors.js';
import { isValidGoPattern } from './go-glob.js';
import { GoRegexpError, goRegexp } from './go-regexp.js';
import { codePoints, goClean, goTrimSpace } from './paths.js';

type MatchKind = 'exact' | 'prefix' | 'suffix' | 'regexp';

/** Characters Docker escapes because they mean something in a regexp but nothing in a glob. */
const LITERAL_IN_REGEXP = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);

export interface IgnorePattern {
  /** The cleaned pattern without its `!`. */
  readonly text: string;
  /** A `!` exception: matching paths are included again. */
  readonly exception: boolean;
  matches(path: string): boolean;
}

/** Docker's regular expression for a cleaned pattern, and how the pattern is matched. */
function compile(pattern: string): { kind: MatchKind; source: string } {
  const cps = codePoints(pattern);
  let source = '^';
  let kind: MatchKind = 'exact';
  for (let i = 0, k = 0; k < cps.length; i++) {
    const ch = String.fromCodePoint(cps[k++]);
    if (ch === '*') {
      if (cps[k] === 0x2a) {
        k++;
        if (cps[k] === 0x2f) k++;
        if (k >= cps.length) {
          if (kind === 'exact') kind = 'prefix';
          else {
            source += '.*';
            kind = 'regexp';
          }
        } else {
          source += '(.*/)?';
          kind = 'regexp';
        }
        if (i === 0) kind = 'suffix';
      } else {
        source += '[^/]*';
        kind = 'regexp';
      }
    } else if (ch === '?') {
      source += '[^/]';
      kind = 'regexp';
    } else if (LITERAL_IN_REGEXP.has(ch)) {
      source += `\\${ch}`;
    } else if (ch === '\\') {
      if (k < cps.length) {
        source += `\\${String.fromCodePoint(cps[k++])}`;
        kind = 'regexp';
      } else {
        source += '\\\\';
      }
    } else if (ch === '[' || ch === ']') {
      source += ch;
      kind = 'regexp';
    } else {
      source += ch;
    }
  }
  if (kind === 'regexp') source += '$';
  return { kind, source };
}

function matcherFor(original: string, pattern: string): (path: string) => boolean {
  const { kind, source } = compile(pattern);
  switch (kind) {
    case 'exact':
      return (path) => path === pattern;
    case 'prefix': {
      const prefix = pattern.slice(0, -2);
      return (path) => path.startsWith(prefix);
    }
    case 'suffix': {
      const suffix = pattern.slice(2);
      return (path) => path.endsWith(suffix) || (suffix.startsWith('/') && path === suffix.slice(1));
    }
    case 'regexp': {
      let re: RegExp;
      try {
        re = goRegexp(source);
      } catch (error) {
        if (error instanceof GoRegexpError) throw new DockerignorePatternError(original, `syntax error in pattern (${error.message})`);
        throw error;
      }
      return (path) => re.test(path);
    }
  }
}

/**
 * A pattern line as `patternmatcher.New` takes it: trimmed, `filepath.Clean`ed, `!` split off, checked with
 * Go's filepath.Match syntax. Returns undefined for a blank line.
 */
export function compileIgnorePattern(line: string): IgnorePattern | undefined {
  let text = goTrimSpace(line);
  if (text === '') return undefined;
  text = goClean(text);
  let exception = false;
  if (text.startsWith('!')) {
    if (text.length === 1) throw new DockerignorePatternError(line, 'illegal exclusion pattern: "!"');
    exception = true;
    text = text.slice(1);
  }
  if (!isValidGoPattern(text)) throw new DockerignorePatternError(line, 'syntax error in pattern');
  const matches = matcherFor(line, text);
  return { text, exception, matches };
}
