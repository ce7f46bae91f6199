import { describe, expect, it } from 'vitest';
import { expandWordWithMatches } from '../../../src/parser/shell/index.js';

function check(input: string, env: Record<string, string>, value: string, matched: string[], unmatched: string[]) {
  const result = expandWordWithMatches(input, env);
  expect(result.value).toBe(value);
  expect([...result.matched].sort()).toEqual([...matched].sort());
  expect([...result.unmatched].sort()).toEqual([...unmatched].sort());
}

describe('expandWordWithMatches', () => {
  it('reports nothing for a word without references', () => {
    check('x', { DUMMY: 'dummy' }, 'x', [], []);
  });

  it('reports set names as matched and unset names as unmatched', () => {
    check('x ${UNUSED}', { DUMMY: 'dummy' }, 'x ', [], ['UNUSED']);
    check('x ${FOO}', { FOO: 'y' }, 'x y', ['FOO'], []);
    check('$A $B', { A: '1' }, '1 ', ['A'], ['B']);
  });

  it('counts a set-but-empty variable as matched', () => {
    check('${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}', { FOO: 'xxx', BAR: '' }, 'xxx  ccc', ['FOO', 'BAR'], ['BAZ']);
    check('${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}', { FOO: 'xxx', BAR: '' }, 'xxx bbb ccc', ['FOO', 'BAR'], ['BAZ']);
    check('${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}', { FOO: 'xxx', BAR: '' }, 'aaa bbb ', ['FOO', 'BAR'], ['BAZ']);
    check('${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}', { FOO: 'xxx', BAR: '' }, 'aaa  ', ['FOO', 'BAR'], ['BAZ']);
    check('${BAR?bbb}', { BAR: '' }, '', ['BAR'], []);
  });

  it('includes names used inside modifier words, patterns and replacements', () => {
    check('${FOO#$BAR}', { FOO: 'xxyy', BAR: 'x' }, 'xyy', ['FOO', 'BAR'], []);
    check('${ABC:-.}${FOO%x}${ABC:-.}', { FOO: 'xxyy' }, '.xxyy.', ['FOO'], ['ABC']);
    check('${FOO/$N/$R}', { FOO: 'http://a', N: 'http://', R: 'https://' }, 'https://a', ['FOO', 'N', 'R'], []);
    check('${FOO///}', {}, '', [], ['FOO']);
  });

  it('evaluates the word even when the variable makes it unnecessary, like BuildKit', () => {
    check('${SET:-$OTHER}', { SET: 's' }, 's', ['SET'], ['OTHER']);
  });

  it('reports positional and special parameters as unmatched names', () => {
    check('$1${#}', {}, '', [], ['1', '#']);
  });

  it('handles the platform file-name example of BuildKit', () => {
    const word = 'something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz';
    const base = { VERSION: 'v1.2.3', TARGETOS: 'linux', TARGETARCH: 'arm' };
    check(word, { ...base, TARGETVARIANT: 'v7' }, 'something-v1.2.3.linux-arm-v7.tar.gz', [
      'VERSION',
      'TARGETOS',
      'TARGETARCH',
      'TARGETVARIANT',
    ], []);
    check(word, base, 'something-v1.2.3.linux-arm.tar.gz', ['VERSION', 'TARGETOS', 'TARGETARCH'], ['TARGETVARIANT']);
  });

  it('works with skipUnsetEnv and a lookup function', () => {
    const result = expandWordWithMatches('$A-$B', (name) => (name === 'A' ? 'a' : undefined), { skipUnsetEnv: true });
    expect(result).toEqual({ value: 'a-$B', matched: new Set(['A']), unmatched: new Set(['B']) });
  });
});
