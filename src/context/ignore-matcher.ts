/**
 * The exclusion decision Docker makes for every path of the build context (moby/patternmatcher as driven by
 * BuildKit's fsutil walker):
 *
 * - patterns are evaluated in order and the last one that matches wins (`!` patterns re-include);
 * - a pattern that matched a directory matches everything below it;
 * - while walking, each path is matched with its parent's per-pattern results (`MatchesUsingParentResults`);
 *   `isExcluded` reproduces that chain, so it answers exactly what the walk keeps;
 * - an excluded directory is only entered when a `!` pattern could re-include something inside it.
 */
import type { IgnorePattern } from './ignore-pattern.js';
import { compileIgnorePattern } from './ignore-pattern.js';
import { parentPath } from './paths.js';

/** Per-pattern results for a directory, handed to its children. */
export type MatchInfo = readonly boolean[];

export interface MatchResult {
  readonly excluded: boolean;
  readonly info: MatchInfo;
}

/** Characters that make fsutil give up its "can an exception match below this dir" shortcut. */
const PATTERN_CHARS = /[*[\]?^\\]/;

function withoutTrailingGlob(pattern: string): string {
  let text = pattern;
  if (text.endsWith('/**')) text = text.slice(0, -3);
  if (text.endsWith('/*')) text = text.slice(0, -2);
  return text;
}

/** Every proper ancestor of `path`, shortest first (`a`, `a/b` for `a/b/c`). */
function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) out.push(path.slice(0, i));
  return out;
}

export class DockerignoreMatcher {
  readonly patterns: readonly IgnorePattern[];
  /** Whether any pattern is a `!` exception. */
  readonly hasExceptions: boolean;
  private readonly exceptionPrefixes: readonly string[] | undefined;

  private constructor(patterns: readonly IgnorePattern[]) {
    this.patterns = patterns;
    this.hasExceptions = patterns.some((p) => p.exception);
    const exceptions = patterns.filter((p) => p.exception).map((p) => withoutTrailingGlob(p.text));
    this.exceptionPrefixes = exceptions.some((text) => PATTERN_CHARS.test(text)) ? undefined : exceptions.map((text) => `${text}/`);
  }

  /** Patterns as read from a .dockerignore (see parseDockerignore); throws DockerignorePatternError. */
  static compile(patterns: readonly string[]): DockerignoreMatcher {
    const compiled: IgnorePattern[] = [];
    for (const line of patterns) {
      const pattern = compileIgnorePattern(line);
      if (pattern) compiled.push(pattern);
    }
    return new DockerignoreMatcher(compiled);
  }

  /** Whether there is nothing to exclude. */
  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /**
   * `MatchesUsingParentResults`: the decision for `path` given its parent directory's results. Without
   * `parent` every ancestor of `path` is tried against each pattern instead.
   */
  match(path: string, parent?: MatchInfo): MatchResult {
    const info: boolean[] = new Array<boolean>(this.patterns.length).fill(false);
    let excluded = false;
    const noParent = parent === undefined || parent.length === 0;
    const ancestorPaths = noParent && path.includes('/') ? ancestors(path) : [];
    this.patterns.forEach((pattern, i) => {
      let hit = noParent ? false : parent[i];
      if (!hit) {
        // An exception only matters once something excluded the path, an exclusion only until then.
        if (pattern.exception !== excluded) return;
        hit = pattern.matches(path) || ancestorPaths.some((a) => pattern.matches(a));
      }
      info[i] = hit;
      if (hit) excluded = !pattern.exception;
    });
    return { excluded, info };
  }

  /** `MatchesOrParentMatches`: the pattern list applied to `path` and its ancestors, without walk state. */
  matchesOrParentMatches(path: string): boolean {
    return this.match(path).excluded;
  }

  /** The decision the context walk makes for `path`: the match chain from the top directory down. */
  isExcluded(path: string): boolean {
    return this.chain(path).excluded;
  }

  /** The walk's result for `path`, computed from the top directory down (cached per directory by callers). */
  chain(path: string, cache?: Map<string, MatchResult>): MatchResult {
    const cached = cache?.get(path);
    if (cached) return cached;
    const parent = parentPath(path);
    const parentInfo = parent === '.' ? undefined : this.chain(parent, cache).info;
    const result = this.match(path, parentInfo ?? []);
    cache?.set(path, result);
    return result;
  }

  /**
   * Whether the walk enters `dir`, which is excluded: only when a `!` pattern might re-include something
   * below it (any exception with wildcards, or one naming a path inside `dir`).
   */
  mayIncludeBelow(dir: string): boolean {
    if (!this.hasExceptions) return false;
    if (this.exceptionPrefixes === undefined) return true;
    const prefix = `${dir}/`;
    return this.exceptionPrefixes.some((p) => p.startsWith(prefix));
  }
}
