import { describe, expect, it } from 'vitest';
import { ExpansionError } from '../../../src/parser/errors.js';
import { expandWord, expandWords, expandWordWithMatches } from '../../../src/parser/shell/index.js';

const MB = 1 << 20;

function nested(depth: number, open: (i: number) => string, middle: string, close: string): string {
  const parts: string[] = [];
  for (let i = 0; i < depth; i++) parts.push(open(i));
  parts.push(middle);
  parts.push(close.repeat(depth));
  return parts.join('');
}

function timed<T>(run: () => T): { result: T; ms: number } {
  const start = performance.now();
  const result = run();
  return { result, ms: performance.now() - start };
}

describe('hostile input', () => {
  it('expands 10,000 nested ${a:-...} without recursion and quickly', () => {
    const word = nested(10_000, (i) => `\${v${i}:-`, 'deep', '}');
    const { result, ms } = timed(() => expandWordWithMatches(word, {}));
    expect(result.value).toBe('deep');
    expect(result.unmatched.size).toBe(10_000);
    expect(ms).toBeLessThan(1000);
  });

  it('expands 100,000 nested levels (no nesting limit)', () => {
    const word = nested(100_000, () => '${a:-', 'x', '}');
    expect(expandWord(word, {})).toBe('x');
    expect(expandWord(word, { a: 'set' })).toBe('set');
  });

  it('handles deep nesting that alternates braces and double quotes', () => {
    const word = nested(10_000, () => '"${a:-', 'x', '}"');
    expect(expandWord(word, {})).toBe('x');
    expect(expandWord(word, {}, { rawQuotes: true })).toBe('"'.repeat(10_000) + 'x' + '"'.repeat(10_000));
  });

  it('reports an unterminated deep nest as an ExpansionError, not a stack overflow', () => {
    const word = nested(10_000, () => '${a:-', 'x', '}').slice(0, -1);
    expect(() => expandWord(word, {})).toThrow(ExpansionError);
    expect(() => expandWord(word, {})).toThrow("syntax error: missing '}'");
    expect(() => expandWord('${a:-'.repeat(50_000), {})).toThrow(ExpansionError);
  });

  it('keeps unset references of a deep nest with skipUnsetEnv', () => {
    const word = nested(10_000, () => '${a:-', 'x', '}');
    expect(expandWord(word, {}, { skipUnsetEnv: true })).toBe(word);
  });

  it('expands a 1 MB plain word', () => {
    const word = 'a'.repeat(MB);
    expect(expandWord(word, {})).toBe(word);
    expect(expandWords(word, {})).toEqual([word]);
  });

  it('expands a 1 MB word full of references, quotes and escapes in linear time', () => {
    const unit = '$V "q $V" \'s\' \\$ ${V:-d}${U:-d}|';
    const word = unit.repeat(Math.ceil(MB / unit.length));
    const { result, ms } = timed(() => expandWord(word, { V: 'v' }));
    expect(result.length).toBe((word.length / unit.length) * 'v q v s $ vd|'.length);
    expect(ms).toBeLessThan(3000);
    // Each unit yields "v", "q v", "s", "$" and "vd|", and "vd|" runs into the next unit's "v".
    const words = expandWords(word, { V: 'v' });
    expect(words.length).toBe((word.length / unit.length) * 4 + 1);
    expect(words.slice(0, 5)).toEqual(['v', 'q v', 's', '$', 'vd|v']);
  });

  it('runs doubled input in roughly doubled time (linear scan)', () => {
    const unit = '$V"x"\\y${V:-z}';
    const small = unit.repeat(30_000);
    const large = unit.repeat(120_000);
    expandWord(small, { V: 'v' }); // warm up
    const a = timed(() => expandWord(small, { V: 'v' })).ms;
    const b = timed(() => expandWord(large, { V: 'v' })).ms;
    // 4x the input: allow generous noise, but catch quadratic behaviour (16x).
    expect(b).toBeLessThan(Math.max(a, 1) * 12 + 50);
  });

  it('matches patterns with many wildcards against long values without backtracking blow-up', () => {
    const value = 'a'.repeat(100_000);
    const pattern = '*a'.repeat(30) + '*b';
    const { result, ms } = timed(() => expandWord(`\${V#${pattern}}|\${V%%${pattern}}|\${V/${pattern}/x}`, { V: value }));
    expect(result).toBe(`${value}|${value}|${value}`);
    expect(ms).toBeLessThan(3000);
  });

  it('replaces every character of a 1 MB value', () => {
    const value = 'ab'.repeat(MB / 2);
    const { result, ms } = timed(() => expandWord('${V//?/x}', { V: value }));
    expect(result).toBe('x'.repeat(MB));
    expect(ms).toBeLessThan(3000);
    expect(expandWord('${V//a/}', { V: value })).toBe('b'.repeat(MB / 2));
    expect(expandWord('${V##*b}|${V%%a*}', { V: value })).toBe('|');
  });

  it('reuses compiled patterns across calls', () => {
    const word = '${V%.*}${V#*.}${V//./-}';
    const { ms } = timed(() => {
      for (let i = 0; i < 10_000; i++) expandWord(word, { V: `file${i}.tar.gz` });
    });
    expect(expandWord(word, { V: 'a.b.c' })).toBe('a.bb.ca-b-c');
    expect(ms).toBeLessThan(2000);
  });
});
