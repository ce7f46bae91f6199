import { describe, expect, it } from 'vitest';
import { GoRegexpError, goRegexp } from '../../src/context/go-regexp.js';

describe('goRegexp (Go RE2 syntax to JavaScript)', () => {
  it.each([
    ['^a[^/]*$', 'abc', true],
    ['^a[^/]*$', 'a/c', false],
    ['^(.*/)?x$', 'a/b/x', true],
    ['^(.*/)?x$', 'x', true],
    ['^.*$', 'a\nb', false], // Go's . does not match a newline
    ['^[^a]$', '\n', true], // a negated class does
    ['^[[:digit:]]+$', '2024', true],
    ['^[[:^alpha:]]$', '1', true],
    ['^[[:^alpha:]]$', 'a', false],
    ['^[[a]$', '[', true], // [ inside a class is literal
    ['^[]a]$', ']', true], // ] first in a class is literal
    ['^[a-]$', '-', true],
    ['^x]$', 'x]', true],
    ['^\\d\\s\\w$', '1 _', true],
    ['^\\D$', '1', false],
    ['^[\\W]$', '_', false],
    ['^\\x41\\101\\t$', 'AA\t', true],
    ['^\\pL$', 'é', true],
    ['^\\PL$', 'é', false],
    ['^\\Qa.b\\E$', 'a.b', true],
    ['^\\Qa.b\\E$', 'axb', false],
    ['\\Aab\\z', 'ab', true],
    ['^\\.\\+\\($', '.+(', true],
    ['^a\\bb$', 'ab', false],
    ['^é?$', '', true],
    ['^[^/]*?$', 'abc', true],
    ['^*a$', 'a', true], // Go accepts a repeated assertion
  ] as const)('%j matches %j: %j', (source, text, expected) => {
    expect(goRegexp(source).test(text)).toBe(expected);
  });

  it.each(['^[z-a]$', '^\\e$', '^\\1$', '^[a$', '^a**$', '^\\p{Greek}$', '^\\pX$', '^\\', '^[[:nope:]]$', '^(a$', '^a)$', '^a|b$', '*a'])(
    'refuses %j as Go does',
    (source) => {
      expect(() => goRegexp(source)).toThrow(GoRegexpError);
    },
  );
});
