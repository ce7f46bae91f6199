import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  SourceEscapeError,
  SourceNotFoundError,
  SourcePatternError,
  SymlinkEscapeError,
  SymlinkLoopError,
  normalizeSource,
  selectSources,
  type SelectedSource,
} from '../../src/context/index.js';
import { splitPatternSegments } from '../../src/context/select-sources.js';
import { makeTree } from './fixtures.js';

function summary(selected: SelectedSource[]): Array<[string, string, string]> {
  return selected.map((s) => [s.path, s.resolvedPath, s.entry.type]);
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('normalizeSource', () => {
  it.each([
    ['x', 'x'],
    ['/x', 'x'],
    ['./x', 'x'],
    ['.', '.'],
    ['/', '.'],
    ['./', '.'],
    ['a/../b', 'b'],
    ['a//b/./c/', 'a/b/c'],
  ])('%s → %s', (source, expected) => {
    expect(normalizeSource(source)).toBe(expected);
  });

  it('refuses .. above the root, or clamps it like BuildKit when asked', () => {
    expect(() => normalizeSource('../x')).toThrow(SourceEscapeError);
    expect(() => normalizeSource('/../x')).toThrow(SourceEscapeError);
    expect(() => normalizeSource('a/../../x')).toThrow(/forbidden path outside the build context/);
    expect(normalizeSource('../x', 'clamp')).toBe('x');
    expect(normalizeSource('..', 'clamp')).toBe('.');
  });
});

describe('selectSources: literal paths', () => {
  const root = makeTree({ 'app/main.go': 'm', 'app/go.mod': 'g', 'README.md': 'r', 'a\\*b': 'literal' });

  it('selects a file, a directory and the root', async () => {
    expect(summary(await selectSources(root, 'README.md'))).toEqual([['README.md', 'README.md', 'file']]);
    expect(summary(await selectSources(root, '/app/'))).toEqual([['app', 'app', 'directory']]);
    expect(summary(await selectSources(root, './app'))).toEqual([['app', 'app', 'directory']]);
    expect(summary(await selectSources(root, '.'))).toEqual([['.', '.', 'directory']]);
  });

  it('takes a path without wildcards literally, backslashes included (BuildKit)', async () => {
    expect(summary(await selectSources(root, 'a\\*b'))).toEqual([['a\\*b', 'a\\*b', 'file']]);
  });

  it('reports a missing source like BuildKit', async () => {
    const error = await failure(selectSources(root, 'nope/x.txt'));
    expect(error).toBeInstanceOf(SourceNotFoundError);
    expect(error).toMatchObject({ code: 'CONTEXT_SOURCE_NOT_FOUND', missing: '/nope/x.txt', excluded: false });
    expect(error.message).toContain('failed to compute cache key: "/nope/x.txt": not found');
  });

  it('requires a directory for a trailing slash', async () => {
    const error = await failure(selectSources(root, 'README.md/'));
    expect(error).toMatchObject({ code: 'CONTEXT_SOURCE_NOT_FOUND' });
    expect(error.message).toContain('not a directory');
  });

  it('refuses .. that climbs out of the root', async () => {
    const error = await failure(selectSources(root, '../etc/passwd'));
    expect(error).toBeInstanceOf(SourceEscapeError);
    expect(error).toMatchObject({ code: 'CONTEXT_SOURCE_ESCAPE' });
    expect(summary(await selectSources(root, '../README.md', { parentEscape: 'clamp' }))).toEqual([['README.md', 'README.md', 'file']]);
  });
});

describe('selectSources: .dockerignore', () => {
  const root = makeTree({ 'secret.env': 's', 'docs/README.md': 'r', 'docs/a.md': 'a', 'keep.txt': 'k' });
  const excludes = ['*.env', 'docs', '!docs/README.md'];

  it('cannot select an excluded file, and says why', async () => {
    const error = await failure(selectSources(root, 'secret.env', { excludes }));
    expect(error).toMatchObject({ code: 'CONTEXT_SOURCE_NOT_FOUND', excluded: true });
    expect(error.message).toContain('.dockerignore');
    await expect(selectSources(root, 'docs/a.md', { excludes })).rejects.toBeInstanceOf(SourceNotFoundError);
  });

  it('selects a file re-included inside an excluded directory, and the directory holding only it', async () => {
    expect(summary(await selectSources(root, 'docs/README.md', { excludes }))).toEqual([['docs/README.md', 'docs/README.md', 'file']]);
    expect(summary(await selectSources(root, 'docs', { excludes }))).toEqual([['docs', 'docs', 'directory']]);
  });

  it('does not let wildcards see excluded entries', async () => {
    expect(summary(await selectSources(root, '*', { excludes })).map(([p]) => p)).toEqual(['docs', 'keep.txt']);
    expect(summary(await selectSources(root, 'docs/*.md', { excludes })).map(([p]) => p)).toEqual(['docs/README.md']);
  });
});

describe('selectSources: wildcards', () => {
  const root = makeTree({
    'a.txt': '',
    'b.txt': '',
    'c.md': '',
    'pkg/one/go.mod': '',
    'pkg/two/go.mod': '',
    'pkg/two/sub/go.mod': '',
    'pkg/three/readme': '',
    'x/y.txt': '',
    'Dockerfile': '',
    'dockerfile.dev': '',
  });

  it('matches one path component per segment, sorted', async () => {
    expect(summary(await selectSources(root, '*.txt')).map(([p]) => p)).toEqual(['a.txt', 'b.txt']);
    expect(summary(await selectSources(root, 'pkg/*/go.mod')).map(([p]) => p)).toEqual(['pkg/one/go.mod', 'pkg/two/go.mod']);
    expect(summary(await selectSources(root, '/pkg/t*')).map(([p]) => p)).toEqual(['pkg/three', 'pkg/two']);
    expect(summary(await selectSources(root, '[Dd]ockerfile*')).map(([p]) => p)).toEqual(['Dockerfile', 'dockerfile.dev']);
    expect(summary(await selectSources(root, '?.md')).map(([p]) => p)).toEqual(['c.md']);
  });

  it('does not search inside a matched directory', async () => {
    expect(summary(await selectSources(root, 'p*'))).toEqual([['pkg', 'pkg', 'directory']]);
  });

  it('applies Go path.Match even where a class matches "/"', async () => {
    expect(summary(await selectSources(root, 'x[^a]y.txt')).map(([p]) => p)).toEqual(['x/y.txt']);
  });

  it('selects nothing when nothing matches (BuildKit allows empty wildcards), unless told otherwise', async () => {
    expect(await selectSources(root, '*.nothing')).toEqual([]);
    const error = await failure(selectSources(root, '*.nothing', { allowEmptyWildcard: false }));
    expect(error).toMatchObject({ code: 'CONTEXT_SOURCE_NOT_FOUND', missing: '/*.nothing' });
  });

  it('requires the part before the first wildcard to exist', async () => {
    const error = await failure(selectSources(root, 'missing/*.txt'));
    expect(error).toMatchObject({ code: 'CONTEXT_SOURCE_NOT_FOUND', missing: '/missing' });
  });

  it('refuses a malformed pattern', async () => {
    await expect(selectSources(root, 'a[.txt')).rejects.toBeInstanceOf(SourcePatternError);
  });
});

describe('selectSources: symlinks', () => {
  const outside = makeTree({ 'secret.txt': 'top secret', 'dir/inner.txt': 'i' });
  const root = makeTree({
    'real/file.txt': 'f',
    'real/sub/deep.txt': 'd',
    'link-file': { symlink: 'real/file.txt' },
    'link-dir': { symlink: 'real' },
    'nested/up': { symlink: '../real/sub' },
    'abs-out': { symlink: path.join(outside, 'secret.txt') },
    'rel-out': { symlink: '../../../../../../../../etc/passwd' },
    'loop-a': { symlink: 'loop-b' },
    'loop-b': { symlink: 'loop-a' },
    'dangling': { symlink: 'nowhere' },
    'usr/bin/tool': { symlink: '/usr/lib/tool' },
    'usr/lib/tool': 'binary',
  });
  symlinkSync(path.join(outside, 'dir'), path.join(root, 'dir-out'));

  it('follows a symlink source, keeping its name', async () => {
    expect(summary(await selectSources(root, 'link-file'))).toEqual([['link-file', 'real/file.txt', 'file']]);
    expect(summary(await selectSources(root, 'link-dir'))).toEqual([['link-dir', 'real', 'directory']]);
  });

  it('follows symlinks in the middle of a path', async () => {
    expect(summary(await selectSources(root, 'link-dir/sub/deep.txt'))).toEqual([['link-dir/sub/deep.txt', 'real/sub/deep.txt', 'file']]);
    expect(summary(await selectSources(root, 'nested/up/deep.txt'))).toEqual([['nested/up/deep.txt', 'real/sub/deep.txt', 'file']]);
    expect(summary(await selectSources(root, 'link-dir/*.txt'))).toEqual([['link-dir/file.txt', 'real/file.txt', 'file']]);
  });

  it('follows symlinks a wildcard selects, but does not search through them', async () => {
    expect(summary(await selectSources(root, 'link-*'))).toEqual([
      ['link-dir', 'real', 'directory'],
      ['link-file', 'real/file.txt', 'file'],
    ]);
    expect(summary(await selectSources(root, '*/sub/deep.txt'))).toEqual([['real/sub/deep.txt', 'real/sub/deep.txt', 'file']]);
  });

  it('refuses to follow a symlink out of the root', async () => {
    for (const source of ['abs-out', 'rel-out', 'dir-out/inner.txt', 'dir-*']) {
      const error = await failure(selectSources(root, source));
      expect(error, source).toBeInstanceOf(SymlinkEscapeError);
      expect(error, source).toMatchObject({ code: 'CONTEXT_SYMLINK_ESCAPE' });
    }
  });

  it('resolves links inside the root in scoped mode, as BuildKit does for stage file systems', async () => {
    expect(summary(await selectSources(root, 'usr/bin/tool', { symlinks: 'scoped' }))).toEqual([['usr/bin/tool', 'usr/lib/tool', 'file']]);
    await expect(selectSources(root, 'usr/bin/tool')).rejects.toBeInstanceOf(SymlinkEscapeError);
    await expect(selectSources(root, 'rel-out', { symlinks: 'scoped' })).rejects.toMatchObject({ missing: '/rel-out' });
  });

  it('reports loops and dangling links', async () => {
    await expect(selectSources(root, 'loop-a')).rejects.toBeInstanceOf(SymlinkLoopError);
    await expect(selectSources(root, 'dangling')).rejects.toMatchObject({ code: 'CONTEXT_SOURCE_NOT_FOUND', missing: '/dangling' });
  });
});

describe('splitPatternSegments (search pruning)', () => {
  it('splits a glob whose matches have a fixed number of components', () => {
    expect(splitPatternSegments('a/*/[Dd]ocker*')).toEqual(['a', '*', '[Dd]ocker*']);
    expect(splitPatternSegments('x\\*y/z')).toEqual(['x\\*y', 'z']);
  });

  it('gives up where a class may match "/"', () => {
    expect(splitPatternSegments('a[^x]b')).toBeUndefined();
    expect(splitPatternSegments('a[+-0]b')).toBeUndefined();
    expect(splitPatternSegments('a\\/b')).toBeUndefined();
  });
});
