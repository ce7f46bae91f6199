import { describe, expect, it } from 'vitest';
import { comparePaths, compareNames, goClean, goTrimSpace, relativeTo, sortByName } from '../../src/context/paths.js';

describe('goClean (Go path.Clean)', () => {
  it.each([
    ['', '.'],
    ['.', '.'],
    ['/', '/'],
    ['//a//b/', '/a/b'],
    ['a/./b/../c', 'a/c'],
    ['../a', '../a'],
    ['a/../..', '..'],
    ['/../a', '/a'],
    ['!a/..', '.'],
    ['!./a', '!./a'],
    ['abc/', 'abc'],
  ])('%j → %j', (input, expected) => {
    expect(goClean(input)).toBe(expected);
  });
});

describe('goTrimSpace (Go strings.TrimSpace)', () => {
  it('trims Unicode white space but not a BOM', () => {
    expect(goTrimSpace(' \t\u0085\u00a0x y\u3000\r\n')).toBe('x y');
    expect(goTrimSpace('\uFEFFx')).toBe('\uFEFFx');
  });
});

describe('ordering', () => {
  it('compares names as UTF-8 bytes', () => {
    const names = ['\u{1F600}', '\uFF21', 'é', 'a', 'B'];
    expect([...names].sort(compareNames)).toEqual(['B', 'a', 'é', '\uFF21', '\u{1F600}']);
  });

  it('sorts by name in compareNames order, with or without characters beyond U+FFFF', () => {
    const named = (names: string[]) => names.map((name) => ({ name }));
    const plain = ['b', 'B', 'a.txt', 'a', 'é', '\uFF21', '\uE000', '\uD7FF', 'ab', 'a-c'];
    expect(sortByName(named(plain)).map((x) => x.name)).toEqual([...plain].sort(compareNames));
    const astral = [...plain, '\u{1F600}', 'a\u{10000}', 'a\uFFFF'];
    expect(sortByName(named(astral)).map((x) => x.name)).toEqual([...astral].sort(compareNames));
    expect(sortByName(named(['\u{1F600}', '\uFF21'])).map((x) => x.name)).toEqual(['\uFF21', '\u{1F600}']);
  });

  it('puts a directory right before its contents', () => {
    const paths = ['a-c', 'a/b', 'a', 'a.txt', 'a/b/c', 'ab'];
    expect([...paths].sort(comparePaths)).toEqual(['a', 'a/b', 'a/b/c', 'a-c', 'a.txt', 'ab']);
  });
});

describe('relativeTo', () => {
  it('gives the path below a base', () => {
    expect(relativeTo('.', 'a/b')).toBe('a/b');
    expect(relativeTo('a', 'a')).toBe('.');
    expect(relativeTo('a', 'a/b')).toBe('b');
    expect(relativeTo('a', 'ab/c')).toBeUndefined();
    expect(relativeTo('a/b', 'a/c/d')).toBeUndefined();
    expect(relativeTo('a/b', 'a/b/c/d')).toBe('c/d');
  });
});
