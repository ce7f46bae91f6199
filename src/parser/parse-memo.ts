/**
 * Remembered parses: parse() results kept as JSON files in a directory the caller owns (the builder uses its
 * cache directory), one per Dockerfile text, file name and parser code. Parsing an unchanged Dockerfile again
 * reads one small file instead of loading chevrotain and building the grammar, which is about 70 ms of a
 * no-op rebuild's 0.4 s.
 *
 * A remembered result is the same data as parse()'s, properties whose value is undefined included; its source
 * ranges are plain { start, end } objects rather than SourceSpans. Only results without errors are kept (errors
 * are class instances, and a broken file is edited before it is built again). A memo file that cannot be read or does not hold what this module writes is a miss: the text is
 * parsed again and the file replaced. Writing is best effort: a memo directory that cannot be written only costs
 * the next parse its speed.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { replaceFileSync } from '../files/index.js';
import { parse, type ParseOptions, type ParseResult } from './parse.js';

const FORMAT = 'build-image parse memo v1';
/** Memo files beyond this many are removed, oldest first, when a new one is written. */
const MAX_FILES = 256;

export interface MemoParseOptions extends ParseOptions {
  /** Where memo files are read and written. */
  memoDir: string;
}

/** What bundle-cli.mjs sets, at bundle time, to the digest of the compiled parser it bundles. */
declare const BUILD_IMAGE_PARSER_DIGEST: string | undefined;

let codeDigest: string | undefined;

/**
 * A digest of the parser's code, so that a memo written by another version of it is never read. The CLI bundle
 * carries one computed when it was made; otherwise it is the digest of the code files beside this module
 * (src/parser or dist/parser), read once per process.
 */
function parserCodeDigest(): string {
  if (codeDigest !== undefined) return codeDigest;
  if (typeof BUILD_IMAGE_PARSER_DIGEST === 'string') return (codeDigest = BUILD_IMAGE_PARSER_DIGEST);
  const here = path.dirname(fileURLToPath(import.meta.url));
  const hash = createHash('sha256');
  const hashTree = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) hashTree(file);
      else if (/\.(js|ts|mjs)$/.test(name) && !name.endsWith('.d.ts')) hash.update(`${path.relative(here, file)}\0`).update(readFileSync(file)).update('\0');
    }
  };
  hashTree(here);
  return (codeDigest = hash.digest('hex'));
}

function memoFile(text: string, options: MemoParseOptions): string {
  const key = createHash('sha256').update(`${FORMAT}\0${parserCodeDigest()}\0${options.file ?? ''}\0`).update(text).digest('hex');
  return path.join(options.memoDir, `${key}.json`);
}

function isParseResult(value: unknown): value is ParseResult {
  const result = value as ParseResult | null;
  return typeof result === 'object' && result !== null && Array.isArray(result.instructions) && Array.isArray(result.errors) && result.errors.length === 0 && Array.isArray(result.warnings) && typeof result.syntax === 'object';
}

type PropertyPath = (string | number)[];

/** `value` as JSON data (ranges through their toJSON), noting where a property or item is undefined. */
function toMemoData(value: unknown, at: PropertyPath, undefinedAt: PropertyPath[]): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return (value as { toJSON(): unknown }).toJSON();
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
  const data: unknown[] | { [key: string]: unknown } = Array.isArray(value) ? [] : {};
  for (const [key, item] of entries) {
    if (item === undefined) undefinedAt.push([...at, key]);
    (data as { [key: string]: unknown })[key] = item === undefined ? null : toMemoData(item, [...at, key], undefinedAt);
  }
  return data;
}

function restoreUndefined(data: unknown, undefinedAt: unknown): void {
  if (!Array.isArray(undefinedAt)) throw new TypeError('no undefined paths');
  for (const at of undefinedAt as PropertyPath[]) {
    let parent = data as { [key: string | number]: unknown };
    for (const key of at.slice(0, -1)) parent = parent[key] as typeof parent;
    parent[at[at.length - 1]] = undefined;
  }
}

function readMemo(file: string): ParseResult | undefined {
  try {
    const memo = JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown; result?: unknown; undefinedAt?: unknown };
    if (memo.format !== FORMAT || !isParseResult(memo.result)) return undefined;
    restoreUndefined(memo.result, memo.undefinedAt);
    return memo.result;
  } catch {
    return undefined;
  }
}

function removeOldest(dir: string): void {
  const names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  if (names.length <= MAX_FILES) return;
  const byAge = names.map((name) => ({ name, mtimeMs: statSync(path.join(dir, name)).mtimeMs })).sort((a, b) => a.mtimeMs - b.mtimeMs);
  for (const { name } of byAge.slice(0, names.length - MAX_FILES)) rmSync(path.join(dir, name), { force: true });
}

function makeDirectory(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

function writeMemo(file: string, result: ParseResult): void {
  try {
    // Only the memo directory itself is made, never its parent: the builder's memo lives in its store, and a
    // parse must not create a directory that a store is about to be made in (or that `prune` would find half-made).
    makeDirectory(path.dirname(file));
    const undefinedAt: PropertyPath[] = [];
    const data = toMemoData(result, [], undefinedAt);
    replaceFileSync(file, JSON.stringify({ format: FORMAT, result: data, undefinedAt }));
    removeOldest(path.dirname(file));
  } catch {
    // Nothing more to do: the memo is an optimisation.
  }
}

/** parse(), through the memo in `options.memoDir`: the same result for the same text, file name and parser. */
export function parseWithMemo(text: string, options: MemoParseOptions): ParseResult {
  const file = memoFile(text, options);
  const remembered = readMemo(file);
  if (remembered !== undefined) return remembered;
  const result = parse(text, { file: options.file });
  if (result.errors.length === 0) writeMemo(file, result);
  return result;
}
