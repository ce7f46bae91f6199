import { describe, expect, it } from 'vitest';
import { DockerignoreMatcher } from '../../src/context/index.js';

describe('DockerignoreMatcher', () => {
  it('lets the last matching pattern win', () => {
    const m = DockerignoreMatcher.compile(['*.md', '!README.md', 'README.md']);
    expect(m.isExcluded('README.md')).toBe(true);
    expect(m.isExcluded('CHANGES.md')).toBe(true);
    expect(m.isExcluded('main.go')).toBe(false);
  });

  it('matches directories as parents', () => {
    const m = DockerignoreMatcher.compile(['a*']);
    expect(m.isExcluded('ab/c')).toBe(true);
    expect(m.matchesOrParentMatches('ab/c')).toBe(true);
  });

  it('differs from MatchesOrParentMatches where the walk does (parent results)', () => {
    const m = DockerignoreMatcher.compile(['a/b', '!a']);
    expect(m.matchesOrParentMatches('a/b/c')).toBe(false);
    expect(m.isExcluded('a/b/c')).toBe(true);
  });

  it('carries per-pattern results from a directory to its children', () => {
    const m = DockerignoreMatcher.compile(['docs', '!docs/keep.md']);
    const dir = m.match('docs');
    expect(dir).toEqual({ excluded: true, info: [true, false] });
    expect(m.match('docs/keep.md', dir.info).excluded).toBe(false);
    expect(m.match('docs/drop.md', dir.info).excluded).toBe(true);
  });

  it('enters an excluded directory only when an exception may match inside it', () => {
    expect(DockerignoreMatcher.compile(['node_modules']).mayIncludeBelow('node_modules')).toBe(false);
    const literal = DockerignoreMatcher.compile(['a', 'b', '!a/keep/**']);
    expect(literal.mayIncludeBelow('a')).toBe(true);
    expect(literal.mayIncludeBelow('a/keep')).toBe(true);
    expect(literal.mayIncludeBelow('b')).toBe(false);
    expect(DockerignoreMatcher.compile(['a', 'b', '!**/*.md']).mayIncludeBelow('b')).toBe(true);
  });

  it('is empty without patterns', () => {
    expect(DockerignoreMatcher.compile(['', '  ']).empty).toBe(true);
    expect(DockerignoreMatcher.compile([]).isExcluded('x')).toBe(false);
  });
});
