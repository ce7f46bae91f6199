/**
 * Which entries a COPY/ADD source names, with BuildKit's semantics:
 *
 * - the source (after variable expansion) is relative to the root; a leading `/` or `./` means the root, and
 *   the path is cleaned lexically first (`a/../b` is `b`); `..` above the root is refused (SourceEscapeError)
 *   unless `parentEscape: 'clamp'` asks for BuildKit's silent clamping to the root;
 * - without an unescaped `*`, `?` or `[` the source is one literal path, looked up following every symlink in
 *   it, the last one included; it must exist (SourceNotFoundError, BuildKit's `"/x": not found`);
 * - with wildcards, the components before the first wildcard are resolved like a literal path (and must
 *   exist), then every entry below them whose path matches the whole source by Go's `path.Match` is selected
 *   (a selected directory is not searched further; symlinks are not descended into while searching); each
 *   selected symlink is followed; no match at all is not an error (BuildKit's AllowEmptyWildcard) unless
 *   `allowEmptyWildcard: false`;
 * - entries .dockerignore excludes do not exist;
 * - a trailing `/` requires a directory.
 */
import type { ContextEntry } from './entry.js';
import { SourceEscapeError, SourceNotFoundError, SourcePatternError } from './errors.js';
import { goMatch, hasWildcards, isValidGoPattern } from './go-glob.js';
import type { SymlinkPolicy } from './resolve-path.js';
import { resolveInRoot } from './resolve-path.js';
import type { Excludes } from './root-view.js';
import { RootView } from './root-view.js';
import { goClean, joinPath } from './paths.js';

export interface SelectSourcesOptions {
  /** .dockerignore rules of a build context (leave out for a stage's root file system). */
  readonly excludes?: Excludes;
  /**
   * What to do with a symlink the source follows that leads out of the root: `error` (default) refuses it,
   * `scoped` resolves it inside the root as BuildKit does (use it for a stage's root file system).
   */
  readonly symlinks?: SymlinkPolicy;
  /** `..` above the root: `error` (default) refuses it, `clamp` treats it as the root as BuildKit does. */
  readonly parentEscape?: 'error' | 'clamp';
  /** A wildcard source that matches nothing selects nothing (default true, as BuildKit). */
  readonly allowEmptyWildcard?: boolean;
  /** Kept for compatibility: must be a positive integer (default 64); the walk makes its file system calls one at a time. */
  readonly concurrency?: number;
}

export interface SelectedSource {
  /** The matched path, root-relative (`.` for the root): the name COPY gives it. */
  readonly path: string;
  /** Where its content is once symlinks are followed (equal to `path` when none was). */
  readonly resolvedPath: string;
  /** lstat of `resolvedPath` (`entry.path === resolvedPath`); a directory means "copy its contents". */
  readonly entry: ContextEntry;
}

/** The source cleaned to a root-relative path; throws SourceEscapeError for `..` above the root. */
export function normalizeSource(source: string, parentEscape: 'error' | 'clamp' = 'error'): string {
  const cleaned = goClean(source.replace(/^\/+/, ''));
  if (cleaned !== '..' && !cleaned.startsWith('../')) return cleaned;
  if (parentEscape === 'error') throw new SourceEscapeError(source);
  return goClean(`/${cleaned}`).slice(1) || '.';
}

export async function selectSources(root: string, source: string, options: SelectSourcesOptions = {}): Promise<SelectedSource[]> {
  const rel = normalizeSource(source, options.parentEscape);
  const view = await RootView.open(root, options.excludes, options.concurrency);
  const policy = options.symlinks ?? 'error';
  const wantsDirectory = /\/\.?$/.test(source) && rel !== '.';

  const notFound = (missing: string, reason: 'not found' | 'not a directory' = 'not found'): never => {
    throw new SourceNotFoundError(source, `/${missing === '.' ? '' : missing}`, reason, view.isHidden(missing));
  };

  if (!hasWildcards(rel)) {
    const resolved = resolveInRoot(view, rel, { followFinal: true, policy });
    if (!resolved.found) return notFound(rel, resolved.reason);
    if (wantsDirectory && resolved.entry.type !== 'directory') return notFound(rel, 'not a directory');
    return [{ path: rel, resolvedPath: resolved.path, entry: resolved.entry }];
  }

  if (!isValidGoPattern(rel)) throw new SourcePatternError(source);
  const segments = rel.split('/');
  const firstWild = segments.findIndex((s) => hasWildcards(s));
  const prefix = firstWild === 0 ? '.' : segments.slice(0, firstWild).join('/');
  const base = resolveInRoot(view, prefix, { followFinal: true, policy });
  if (!base.found) return notFound(prefix, base.reason);
  if (base.entry.type !== 'directory') return notFound(prefix, 'not a directory');
  const matches = searchMatches(view, rel, base.path, prefix, splitPatternSegments(segments.slice(firstWild).join('/')));

  if (matches.length === 0) {
    if (options.allowEmptyWildcard === false) return notFound(rel);
    return [];
  }
  const selected: SelectedSource[] = [];
  for (const match of matches) {
    if (match.entry.type !== 'symlink') {
      selected.push({ path: match.logical, resolvedPath: match.entry.path, entry: match.entry });
      continue;
    }
    const resolved = resolveInRoot(view, match.entry.path, { followFinal: true, policy });
    if (!resolved.found) return notFound(match.logical, resolved.reason);
    selected.push({ path: match.logical, resolvedPath: resolved.path, entry: resolved.entry });
  }
  return selected;
}

interface Match {
  /** The path as the pattern saw it (under the unresolved prefix). */
  readonly logical: string;
  readonly entry: ContextEntry;
}

/**
 * Entries below directory `dir` (shown to the pattern as `logicalDir`) whose path matches `pattern`, in tree
 * order, appended to `out`; matched directories are not searched, symlinks are not entered. With `segments`,
 * directories that cannot lead to a match are skipped.
 */
function searchMatches(view: RootView, pattern: string, dir: string, logicalDir: string, segments: string[] | undefined, depth = 0, out: Match[] = []): Match[] {
  for (const child of view.children(dir)) {
    const name = child.path.slice(child.path.lastIndexOf('/') + 1);
    const logical = joinPath(logicalDir, name);
    if (goMatch(pattern, logical)) {
      out.push({ logical, entry: child });
      continue;
    }
    if (child.type !== 'directory') continue;
    if (segments !== undefined && !(depth + 1 < segments.length && goMatch(segments[depth], name))) continue;
    searchMatches(view, pattern, child.path, logical, segments, depth + 1, out);
  }
  return out;
}

/**
 * The `/`-separated parts of a glob when every match of the whole glob is a path with exactly that many
 * components, each matching its part; undefined when a class could match `/` (then no search pruning).
 */
export function splitPatternSegments(pattern: string): string[] | undefined {
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      if (pattern[i + 1] === '/') return undefined;
      current += pattern.slice(i, i + 2);
      i++;
    } else if (ch === '[') {
      const end = classEnd(pattern, i);
      if (end === -1) return undefined;
      const body = pattern.slice(i, end + 1);
      if (goMatch(body, '/')) return undefined;
      current += body;
      i = end;
    } else if (ch === '/') {
      segments.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  segments.push(current);
  return segments;
}

/** Index of the `]` closing the class opened at `start` (Go glob rules), or -1. */
function classEnd(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === '^') i++;
  let first = true;
  for (; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === ']' && !first) return i;
    if (ch === '/') return -1;
    if (ch === '\\') i++;
    first = false;
  }
  return -1;
}
