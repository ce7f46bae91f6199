/**
 * Reading .dockerignore files as Docker does.
 *
 * `parseDockerignore` is moby/patternmatcher's `ignorefile.ReadAll`: lines split at `\n` (a `\r` before it
 * dropped), a UTF-8 BOM stripped from the first line, lines *starting* with `#` skipped (before trimming, so
 * ` # x` is a pattern), blank lines skipped, each pattern trimmed and `filepath.Clean`ed with its `!` kept, and
 * a leading `/` removed (patterns are always relative to the context root).
 *
 * `readDockerignore` picks the file BuildKit uses: `<Dockerfile>.dockerignore` beside the Dockerfile when it
 * exists, otherwise `.dockerignore` at the root of the context.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DockerignoreReadError } from './errors.js';
import { DockerignoreMatcher } from './ignore-matcher.js';
import { goClean, goTrimSpace } from './paths.js';

/** Go's bufio.Scanner refuses longer lines ("token too long"). */
const MAX_LINE_BYTES = 64 * 1024;

/** The patterns of a .dockerignore file, in order, ready for DockerignoreMatcher.compile. */
export function parseDockerignore(content: string | Uint8Array, file = '.dockerignore'): string[] {
  const text = typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const patterns: string[] = [];
  lines.forEach((raw, index) => {
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (Buffer.byteLength(raw) >= MAX_LINE_BYTES) {
      throw new DockerignoreReadError(file, `line ${index + 1} is longer than ${MAX_LINE_BYTES - 1} bytes (bufio.Scanner: token too long); shorten it`);
    }
    if (index === 0 && line.startsWith('\uFEFF')) line = line.slice(1);
    if (line.startsWith('#')) return;
    let pattern = goTrimSpace(line);
    if (pattern === '') return;
    const exception = pattern.startsWith('!');
    if (exception) pattern = goTrimSpace(pattern.slice(1));
    if (pattern.length > 0) {
      pattern = goClean(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    patterns.push(exception ? `!${pattern}` : pattern);
  });
  return patterns;
}

export interface DockerignoreFile {
  /** The patterns, in file order (empty when no file applies). */
  readonly patterns: readonly string[];
  /** The file they were read from, or undefined when neither file exists. */
  readonly file: string | undefined;
  readonly matcher: DockerignoreMatcher;
}

export interface ReadDockerignoreOptions {
  /** Path of the Dockerfile; its `<Dockerfile>.dockerignore` sibling wins over the context's .dockerignore. */
  readonly dockerfile?: string;
}

/** The file's bytes, or undefined when there is no regular file to read there. */
async function readIfPresent(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
    throw new DockerignoreReadError(file, `cannot read it (${code ?? String(error)}); make it readable`, { cause: error });
  }
}

/**
 * The ignore rules of a build: `<dockerfile>.dockerignore` if that file exists (even empty), otherwise
 * `<contextDir>/.dockerignore`, otherwise none. Throws DockerignoreReadError or DockerignorePatternError.
 */
export async function readDockerignore(contextDir: string, options: ReadDockerignoreOptions = {}): Promise<DockerignoreFile> {
  const candidates: string[] = [];
  if (options.dockerfile !== undefined) candidates.push(`${path.resolve(options.dockerfile)}.dockerignore`);
  candidates.push(path.join(path.resolve(contextDir), '.dockerignore'));
  for (const file of candidates) {
    const content = await readIfPresent(file);
    if (content === undefined) continue;
    const patterns = parseDockerignore(content, file);
    return { patterns, file, matcher: DockerignoreMatcher.compile(patterns) };
  }
  return { patterns: [], file: undefined, matcher: DockerignoreMatcher.compile([]) };
}
