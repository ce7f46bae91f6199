import { describe, expect, it } from 'vitest';
import { BadPatternError, goMatch, hasWildcards, isValidGoPattern } from '../../src/context/go-glob.js';

// Behaviour of Go's path.Match, from its documented semantics and test vectors.
const vectors: ReadonlyArray<readonly [string, string, boolean | 'bad']> = [
  ['abc', 'abc', true],
  ['*', 'abc', true],
  ['*c', 'abc', true],
  ['a*', 'a', true],
  ['a*', 'abc', true],
  ['a*', 'ab/c', false],
  ['a*/b', 'abc/b', true],
  ['a*/b', 'a/c/b', false],
  ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
  ['a*b?c*x', 'abxbbxdbxebxczzx', true],
  ['a*b?c*x', 'abxbbxdbxebxczzy', false],
  ['ab[c]', 'abc', true],
  ['ab[b-d]', 'abc', true],
  ['ab[e-g]', 'abc', false],
  ['ab[^c]', 'abc', false],
  ['ab[^b-d]', 'abc', false],
  ['ab[^e-g]', 'abc', true],
  ['a\\*b', 'a*b', true],
  ['a\\*b', 'ab', false],
  ['a?b', 'a☺b', true],
  ['a[^a]b', 'a☺b', true],
  ['a???b', 'a☺b', false],
  ['a[^a][^a][^a]b', 'a☺b', false],
  ['[a-ζ]*', 'α', true],
  ['*[a-ζ]', 'A', false],
  ['a?b', 'a/b', false],
  ['a*b', 'a/b', false],
  ['[\\]a]', ']', true],
  ['[\\-]', '-', true],
  ['[x\\-]', 'x', true],
  ['[x\\-]', '-', true],
  ['[x\\-]', 'z', false],
  ['[\\-x]', 'x', true],
  ['[\\-x]', 'a', false],
  ['[]a]', ']', 'bad'],
  ['[-]', '-', 'bad'],
  ['[x-]', 'x', 'bad'],
  ['[-x]', 'x', 'bad'],
  ['\\', 'a', 'bad'],
  ['[a-b-c]', 'a', 'bad'],
  ['[', 'a', 'bad'],
  ['[^', 'a', 'bad'],
  ['[^bc', 'a', 'bad'],
  ['a[', 'a', 'bad'],
  ['a[', 'ab', 'bad'],
  ['a[', 'x', 'bad'],
  ['a/b[', 'x', 'bad'],
  ['*x', 'xxx', true],
  // Classes match "/" (only * and ? stop at it) ...
  ['a[^x]b', 'a/b', true],
  // ... and a chunk that matched is kept: no backtracking into the star before it.
  ['*[^x]*', 'a/b', false],
];

describe('goMatch (Go path.Match)', () => {
  it.each(vectors)('%j vs %j → %j', (pattern, name, expected) => {
    if (expected === 'bad') {
      expect(() => goMatch(pattern, name)).toThrow(BadPatternError);
      expect(isValidGoPattern(pattern)).toBe(false);
    } else {
      expect(goMatch(pattern, name)).toBe(expected);
    }
  });
});

describe('hasWildcards (BuildKit containsWildcards)', () => {
  it.each([
    ['a/b.txt', false],
    ['*.txt', true],
    ['a?', true],
    ['[ab]', true],
    ['a\\*b', false],
    ['a\\\\*', true],
    ['a]', false],
  ] as const)('%j → %j', (source, expected) => {
    expect(hasWildcards(source)).toBe(expected);
  });
});
