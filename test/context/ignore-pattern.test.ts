import { describe, expect, it } from 'vitest';
import { DockerignorePatternError } from '../../src/context/index.js';
import { compileIgnorePattern } from '../../src/context/ignore-pattern.js';

function matches(pattern: string, path: string): boolean {
  const compiled = compileIgnorePattern(pattern);
  if (!compiled) throw new Error('blank pattern');
  return compiled.matches(path);
}

// How moby/patternmatcher matches one cleaned pattern against one path (no parent-directory matching here).
describe('compileIgnorePattern', () => {
  it.each([
    ['**', 'any/path', true, 'a lone ** matches everything'],
    ['**/dir', 'dir', true, '**/ may match no directory'],
    ['**/dir', 'a/b/dir', true, 'or any number'],
    ['**/dir', 'xdir', false, 'but whole components'],
    ['**file', 'a/xfile', true, '** followed by text is a plain suffix test'],
    ['dir/**', 'dir', false, 'dir/** matches below dir, not dir itself'],
    ['dir/**', 'dir/a/b', true, 'anything below dir'],
    ['a**/*.txt', 'a/dir/dir/file.txt', true, '** in the middle spans directories'],
    ['**/**/*.txt', 'file.txt', true, 'repeated **/ still allows zero directories'],
    ['a/*.txt**', 'a/file.txt', true, 'a trailing ** matches the empty string'],
    ['.*', 'foo', false, '. is literal'],
    ['abc?def', 'abcZdef', true, '? is one non-/ character'],
    ['a[^b-d]e', 'aze', true, 'negated ranges'],
    ['a\\\\', 'a\\', true, 'an escaped backslash'],
    ['[*]', ']', true, "Docker's regexp turns [*] into a class followed by ]"],
    ['file\\d', 'file1', true, 'an escaped letter reaches Go regexp: \\d is a digit'],
    ['file\\d', 'filed', false, '... so it does not match the letter itself'],
  ] as const)('%j vs %j → %j (%s)', (pattern, path, expected, _why) => {
    expect(matches(pattern, path)).toBe(expected);
  });

  it('splits off ! and cleans, as patternmatcher.New does', () => {
    expect(compileIgnorePattern('  !x/./y/  ')).toMatchObject({ text: 'x/y', exception: true });
    // Clean runs before the ! is split off, so "!a/.." swallows the !: the pattern is a plain "b".
    expect(compileIgnorePattern('!a/../b')).toMatchObject({ text: 'b', exception: false });
    expect(compileIgnorePattern('!./a')).toMatchObject({ text: './a', exception: true });
    expect(compileIgnorePattern('   ')).toBeUndefined();
  });

  it('refuses patterns Docker refuses', () => {
    expect(() => compileIgnorePattern('!')).toThrow(DockerignorePatternError);
    expect(() => compileIgnorePattern('a\\e')).toThrow(DockerignorePatternError);
  });
});
