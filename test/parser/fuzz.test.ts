import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dumpSyntaxTree, parse, ParseError } from '../../src/parser/index.js';
import { conformanceRoot } from '../support/shared-data.js';
import { seededRandom } from '../support/seeded-random.js';

const random = seededRandom;

function collectDockerfiles(root: string): string[] {
  if (!existsSync(root)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(root)) {
    const full = path.join(root, entry);
    if (statSync(full).isDirectory()) found.push(...collectDockerfiles(full));
    else if (entry === 'Dockerfile') found.push(readFileSync(full, 'utf8'));
  }
  return found;
}

/** FUZZ_SEED and FUZZ_COUNT choose a longer or different run (docs/security.md); CI uses the defaults. */
const fuzzSeed = Number(process.env.FUZZ_SEED ?? 0x5eed);
const fuzzCount = Number(process.env.FUZZ_COUNT ?? 4000);

const builtInSeeds = [
  '# escape=`\nFROM a AS b\nRUN --mount=type=cache,target=/c echo `\n  hi\nCOPY <<EOF /x\nbody\nEOF\n',
  'FROM a\nONBUILD RUN <<-EOT sh\n\techo $X ${Y:-z}\n\tEOT\nENV A="b c" D=e\nHEALTHCHECK --interval=1s CMD ["x"]\n',
];

const fragments = ['\\', '`', '"', "'", '[', ']', '["a", 1]', '<<', '<<-', '<<EOF', '\nEOF\n', '\n', '\r\n', '\r', '$', '${', '}', '#', '# escape=`\n', '--', '--mount=', '=', '\u0000', '\ufeff', '\u00a0', '\t', ' \\\n', 'ONBUILD ', 'é', '😀', '{"a":1}'];

function mutate(source: string, next: () => number, corpus: string[]): string {
  const pick = (length: number): number => Math.floor(next() * length);
  let text = source;
  const edits = 1 + pick(6);
  for (let edit = 0; edit < edits; edit++) {
    const at = pick(text.length + 1);
    switch (pick(5)) {
      case 0:
        text = text.slice(0, at) + fragments[pick(fragments.length)] + text.slice(at);
        break;
      case 1:
        text = text.slice(0, at) + text.slice(at + 1 + pick(40));
        break;
      case 2: {
        const from = pick(text.length + 1);
        text = text.slice(0, at) + text.slice(from, from + pick(80)) + text.slice(at);
        break;
      }
      case 3: {
        const other = corpus[pick(corpus.length)];
        const from = pick(other.length + 1);
        text = text.slice(0, at) + other.slice(from, from + pick(200)) + text.slice(at);
        break;
      }
      default:
        text = text.slice(0, at) + String.fromCharCode(pick(0x80)) + text.slice(at + 1);
    }
  }
  return text;
}

describe('parser fuzzing (fixed seed, bounded)', () => {
  const corpus = [...collectDockerfiles(conformanceRoot), ...builtInSeeds];
  if (corpus.length === builtInSeeds.length) console.warn(`*** fuzz: ${conformanceRoot} not found; mutating built-in seeds only ***`);

  it(`never throws anything but ParseError, on ${fuzzCount} mutated inputs (FUZZ_SEED=${fuzzSeed})`, { timeout: Math.max(60_000, fuzzCount * 50) }, () => {
    const next = random(fuzzSeed);
    let inputs = 0;
    for (let round = 0; round < fuzzCount; round++) {
      const source = corpus[round % corpus.length];
      const text = mutate(source, next, corpus);
      let result;
      try {
        result = parse(text, { file: 'fuzz' });
        dumpSyntaxTree(result.syntax);
      } catch (error) {
        throw new Error(`parse threw on input #${round} (FUZZ_SEED=${fuzzSeed}): ${String(error)}\n${JSON.stringify(text.slice(0, 2000))}`);
      }
      for (const error of result.errors) {
        expect(error).toBeInstanceOf(ParseError);
        expect(error.code).toMatch(/^[A-Z_]+$/);
      }
      inputs++;
    }
    expect(inputs).toBe(fuzzCount);
  });
});
