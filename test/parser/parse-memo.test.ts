import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse, parseWithMemo } from '../../src/parser/index.js';
import { tempDirs } from '../fixtures/temp-dir.js';
import { conformanceAvailable, conformanceRoot } from '../support/shared-data.js';

const newDir = tempDirs('parse-memo');
let dir: string;
beforeEach(async () => {
  dir = await newDir();
});

const memoFiles = (): string[] => readdirSync(dir).filter((name) => name.endsWith('.json'));

/** `result` with its SourceSpans as the plain { start, end } objects a remembered result holds. */
function withPlainRanges(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value.constructor.name === 'SourceSpan') return JSON.parse(JSON.stringify(value)) as unknown;
  if (Array.isArray(value)) return value.map(withPlainRanges);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withPlainRanges(item)]));
}

/** Every real-world and BuildKit test Dockerfile, read in place. */
function sharedDockerfiles(): string[] {
  const found: string[] = [];
  const visit = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (entry.name === 'Dockerfile') found.push(file);
    }
  };
  visit(conformanceRoot);
  return found;
}

describe('parseWithMemo', () => {
  it('gives what parse gives, first from the parser and then from the memo', () => {
    const text = 'FROM busybox AS base\nARG V=1\nRUN --mount=type=cache,target=/c <<EOF\necho $V\nEOF\nCOPY --chown=1:1 a b /c/\n';
    const expected = parse(text, { file: 'Dockerfile.dev' });
    expect(parseWithMemo(text, { file: 'Dockerfile.dev', memoDir: dir })).toStrictEqual(expected);
    expect(memoFiles()).toHaveLength(1);
    expect(parseWithMemo(text, { file: 'Dockerfile.dev', memoDir: dir })).toStrictEqual(withPlainRanges(expected));
    expect(memoFiles()).toHaveLength(1);
  });

  it('reads the memo on a hit (a planted result proves the parser did not run)', () => {
    const text = 'FROM scratch\n';
    parseWithMemo(text, { memoDir: dir });
    const [name] = memoFiles();
    const memo = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as { result: { warnings: unknown[] } };
    memo.result.warnings = [{ code: 'Planted', message: 'from the memo', range: { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } } }];
    writeFileSync(path.join(dir, name), JSON.stringify(memo));
    expect(parseWithMemo(text, { memoDir: dir }).warnings).toEqual(memo.result.warnings);
  });

  it('keys on the text and the file name', () => {
    parseWithMemo('FROM scratch\n', { memoDir: dir });
    parseWithMemo('FROM scratch\n', { file: 'other.Dockerfile', memoDir: dir });
    parseWithMemo('FROM scratch\nENV A=1\n', { memoDir: dir });
    expect(memoFiles()).toHaveLength(3);
    expect(parseWithMemo('FROM scratch\n', { file: 'other.Dockerfile', memoDir: dir }).file).toBe('other.Dockerfile');
  });

  it('keeps no result with errors, and returns the errors as parse does', () => {
    const text = 'FROM scratch\nCOPY --bogus=1 a b\n';
    const result = parseWithMemo(text, { memoDir: dir });
    expect(result.errors.map((error) => error.code)).toEqual(parse(text).errors.map((error) => error.code));
    expect(result.errors.length).toBeGreaterThan(0);
    expect(memoFiles()).toHaveLength(0);
  });

  it('parses again when the memo file is damaged, and mends it', () => {
    const text = 'FROM scratch\nWORKDIR /a\n';
    parseWithMemo(text, { memoDir: dir });
    const [name] = memoFiles();
    for (const damaged of ['{"format":', '{"format":"another","result":{}}', '{"format":"build-image parse memo v1","result":{"errors":[1]}}']) {
      writeFileSync(path.join(dir, name), damaged);
      expect(parseWithMemo(text, { memoDir: dir })).toStrictEqual(parse(text));
      expect(parseWithMemo(text, { memoDir: dir })).toStrictEqual(withPlainRanges(parse(text)));
      expect(JSON.parse(readFileSync(path.join(dir, name), 'utf8'))).toMatchObject({ format: 'build-image parse memo v1' });
    }
  });

  it('makes the memo directory, but never its parent (the store it lives in)', () => {
    expect(parseWithMemo('FROM scratch\n', { memoDir: path.join(dir, 'memo') }).errors).toEqual([]);
    expect(readdirSync(path.join(dir, 'memo'))).toHaveLength(1);
    parseWithMemo('FROM scratch\n', { memoDir: path.join(dir, 'store', 'memo') });
    expect(existsSync(path.join(dir, 'store'))).toBe(false);
  });

  it('still parses when the memo directory cannot be made', () => {
    const blocker = path.join(dir, 'a-file');
    writeFileSync(blocker, '');
    expect(parseWithMemo('FROM scratch\n', { memoDir: path.join(blocker, 'memo') })).toStrictEqual(parse('FROM scratch\n'));
  });

  it('keeps at most 256 memo files, removing the oldest', () => {
    for (let i = 0; i < 260; i++) parseWithMemo(`FROM scratch\nENV N=${i}\n`, { memoDir: dir });
    expect(memoFiles()).toHaveLength(256);
  });

  describe.runIf(conformanceAvailable('parse memo round trip'))('round trip over the shared Dockerfiles', () => {
    it('gives every error-free shared Dockerfile back exactly as parse does', () => {
      let remembered = 0;
      for (const file of sharedDockerfiles()) {
        const text = readFileSync(file, 'utf8');
        const expected = parse(text, { file: 'Dockerfile' });
        parseWithMemo(text, { file: 'Dockerfile', memoDir: dir });
        const again = parseWithMemo(text, { file: 'Dockerfile', memoDir: dir });
        expect(again, file).toStrictEqual(expected.errors.length === 0 ? withPlainRanges(expected) : expected);
        if (expected.errors.length === 0) remembered++;
      }
      expect(remembered).toBeGreaterThan(20);
    });
  });
});
