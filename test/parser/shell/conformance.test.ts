import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ExpansionError } from '../../../src/parser/errors.js';
import { expandWord, expandWords } from '../../../src/parser/shell/index.js';

// BuildKit's own vectors, read in place from the shared checkout (never copied here).
// Harness contract: ../shared/conformance/README.md, section 7.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const vectorDir = path.resolve(repoRoot, '../shared/conformance/buildkit/shell');
const envVarFile = path.join(vectorDir, 'envVarTest');
const wordsFile = path.join(vectorDir, 'wordsTest');
const present = existsSync(envVarFile) && existsSync(wordsFile);

interface EnvVarVector {
  line: number;
  platform: string;
  input: string;
  expected: string;
}

interface WordsVector {
  line: number;
  input: string;
  expected: string[];
  env: Map<string, string>;
}

function readEnvVarVectors(): EnvVarVector[] {
  const vectors: EnvVarVector[] = [];
  readFileSync(envVarFile, 'utf8')
    .split('\n')
    .forEach((raw, index) => {
      if (raw.startsWith('#')) return;
      const line = raw.trim();
      if (line === '') return;
      const fields = line.split('|');
      if (fields.length !== 3) throw new Error(`envVarTest:${index + 1}: expected 3 fields, got ${fields.length}`);
      const platform = fields[0].trim();
      if (platform !== 'A' && platform !== 'U' && platform !== 'W') throw new Error(`envVarTest:${index + 1}: bad platform ${platform}`);
      vectors.push({ line: index + 1, platform, input: fields[1].trim(), expected: fields[2].trim() });
    });
  return vectors;
}

function readWordsVectors(): WordsVector[] {
  const vectors: WordsVector[] = [];
  const env = new Map<string, string>();
  readFileSync(wordsFile, 'utf8')
    .split('\n')
    .forEach((raw, index) => {
      if (raw.startsWith('#') || raw.trim() === '') return;
      if (raw.startsWith('ENV ')) {
        // BuildKit: line[3:] left-trimmed of spaces, then split at the first '='; the value keeps trailing spaces.
        const entry = raw.slice(3).replace(/^ +/, '');
        const eq = entry.indexOf('=');
        if (eq < 0) env.set(entry, '');
        else env.set(entry.slice(0, eq), entry.slice(eq + 1));
        return;
      }
      const fields = raw.split('|');
      if (fields.length !== 2) throw new Error(`wordsTest:${index + 1}: expected exactly one |`);
      vectors.push({
        line: index + 1,
        input: fields[0].trim(),
        expected: fields[1].replace(/^ +/, '').split(','),
        env: new Map(env),
      });
    });
  return vectors;
}

if (!present) {
  const message = `BuildKit shell vectors not found at ${vectorDir}`;
  if (process.env.CI === 'true') {
    describe('BuildKit shell conformance', () => {
      it('has its vectors', () => {
        throw new Error(`${message} (required when CI=true)`);
      });
    });
  } else {
    console.warn(`SKIPPED: ${message}; the shell conformance suite did not run.`);
    describe.skip(`BuildKit shell conformance (SKIPPED: ${message})`, () => {
      it('needs the vectors', () => {});
    });
  }
} else {
  describe('BuildKit shell conformance: envVarTest (ProcessWord)', () => {
    const env = { PWD: '/home', SHELL: 'bash', KOREAN: '한국어', NULL: '' };
    const vectors = readEnvVarVectors();

    it('has vectors', () => {
      expect(vectors.length).toBeGreaterThan(100);
    });

    for (const vector of vectors) {
      const title = `line ${vector.line} [${vector.platform}] ${JSON.stringify(vector.input)} -> ${vector.expected === 'error' ? 'error' : JSON.stringify(vector.expected)}`;
      // Windows-only vectors (case-insensitive variable names) are not for a Unix builder.
      if (vector.platform === 'W') continue;
      it(title, () => {
        if (vector.expected === 'error') {
          let thrown: unknown;
          try {
            expandWord(vector.input, env);
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(ExpansionError);
        } else {
          expect(expandWord(vector.input, env)).toBe(vector.expected);
        }
      });
    }
  });

  describe('BuildKit shell conformance: wordsTest (ProcessWords)', () => {
    const vectors = readWordsVectors();

    it('has vectors', () => {
      expect(vectors.length).toBeGreaterThan(10);
    });

    for (const vector of vectors) {
      it(`line ${vector.line} ${JSON.stringify(vector.input)} -> ${JSON.stringify(vector.expected)}`, () => {
        if (vector.expected.length === 1 && vector.expected[0] === 'error') {
          expect(() => expandWords(vector.input, vector.env)).toThrow(ExpansionError);
        } else {
          expect(expandWords(vector.input, vector.env)).toEqual(vector.expected);
        }
      });
    }
  });
}
