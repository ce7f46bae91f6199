/**
 * src/context: the build context as Docker/BuildKit sees it. This file is the folder's only door.
 *
 * - `.dockerignore`: `readDockerignore` (with `<Dockerfile>.dockerignore` priority), `parseDockerignore`,
 *   `DockerignoreMatcher` (moby/patternmatcher's rules, fsutil's walk decisions);
 * - `walkContext`: the entries the context transfer keeps, with lstat metadata, in tree order;
 * - `selectSources` / `expandSelection`: what a COPY/ADD source names and what it copies;
 * - `digestSelection`: a content digest of a selection for cache keys, with a persistent `FileDigestCache`.
 */
export {
  ContextErrorCode,
  ContextError,
  InvalidRootError,
  DockerignoreReadError,
  DockerignorePatternError,
  ContextReadError,
  SourcePatternError,
  SourceNotFoundError,
  SourceEscapeError,
  SymlinkEscapeError,
  SymlinkLoopError,
  FileChangedError,
  DigestCacheError,
} from './errors.js';
export type { ContextEntry, ContextEntryType } from './entry.js';
export { parseDockerignore, readDockerignore, type DockerignoreFile, type ReadDockerignoreOptions } from './dockerignore.js';
export { DockerignoreMatcher, type MatchInfo, type MatchResult } from './ignore-matcher.js';
export type { Excludes } from './root-view.js';
export { walkContext, type WalkContextOptions } from './walk-context.js';
export type { SymlinkPolicy } from './resolve-path.js';
export { selectSources, normalizeSource, type SelectSourcesOptions, type SelectedSource } from './select-sources.js';
export { expandSelection, type ExpandOptions, type ExpandedEntry, type ExpandedSource } from './expand-selection.js';
export { digestSelection, digestExpanded, type DigestSelectionOptions } from './digest-selection.js';
export { FileDigestCache } from './digest-cache.js';
export { goMatch, hasWildcards } from './go-glob.js';
