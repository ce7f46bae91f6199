import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dumpSyntaxTree, parseSyntax } from '../../src/parser/index.js';
import { conformanceAvailable, conformanceRoot } from '../support/shared-data.js';

const available = conformanceAvailable('parser conformance');
const buildkit = path.join(conformanceRoot, 'buildkit');

function caseDirectories(root: string): string[] {
  return existsSync(root) ? readdirSync(root).map((name) => path.join(root, name)) : [];
}

function realWorldCases(): string[] {
  const root = path.join(conformanceRoot, 'real-world');
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => caseDirectories(path.join(root, entry.name)));
}

describe.runIf(available)('BuildKit parser conformance', () => {
  const positive = [...caseDirectories(path.join(buildkit, 'testfiles')), ...realWorldCases()];

  it('finds the test data', () => {
    expect(positive.length).toBeGreaterThan(20);
  });

  for (const directory of positive) {
    it(`dumps ${path.relative(conformanceRoot, directory)} byte for byte`, () => {
      const text = readFileSync(path.join(directory, 'Dockerfile'), 'utf8');
      const expected = readFileSync(path.join(directory, 'result'), 'utf8');
      const result = parseSyntax(text);
      expect(result.errors.map(String)).toEqual([]);
      expect(dumpSyntaxTree(result.syntax)).toBe(expected);
    });
  }

  for (const directory of caseDirectories(path.join(buildkit, 'testfiles-negative'))) {
    it(`rejects ${path.basename(directory)} with a located error`, () => {
      const text = readFileSync(path.join(directory, 'Dockerfile'), 'utf8');
      const result = parseSyntax(text, { file: 'Dockerfile' });
      expect(result.errors.length).toBeGreaterThan(0);
      expect(result.errors[0].range?.start.line).toBeGreaterThan(0);
      expect(String(result.errors[0])).toMatch(/^ParseError: Dockerfile:\d+:\d+: /);
    });
  }

  it('gives BuildKit line numbers for testfile-line', () => {
    const text = readFileSync(path.join(buildkit, 'testfile-line', 'Dockerfile'), 'utf8');
    const { syntax, errors } = parseSyntax(text);
    expect(errors).toEqual([]);
    expect(syntax.nodes.map((node) => [node.startLine, node.endLine])).toEqual([
      [5, 5],
      [11, 12],
      [17, 31],
    ]);
  });
});
