import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RootView } from '../../src/context/root-view.js';
import { makeTree } from './fixtures.js';

describe('RootView', () => {
  const root = makeTree({ 'docs/README.md': 'r', 'docs/a.md': 'a', 'build/out.js': 'o', 'src/x.ts': 'x', 'src/y.test.ts': 'y' });
  const excludes = ['docs', '!docs/README.md', 'build', '**/*.test.ts'];

  it('shows an entry only if the context transfer keeps it', async () => {
    const view = await RootView.open(root, excludes);
    expect(view.entry('src/x.ts')?.type).toBe('file');
    expect(view.entry('src/y.test.ts')).toBeUndefined();
    expect(view.entry('build')).toBeUndefined();
    expect(view.entry('build/out.js')).toBeUndefined();
    expect(view.entry('docs')?.type).toBe('directory');
    expect(view.entry('docs/README.md')?.type).toBe('file');
    expect(view.entry('docs/a.md')).toBeUndefined();
    expect(view.entry('missing')).toBeUndefined();
    expect(view.entry('.')).toBe(view.rootEntry);
  });

  it('tells hidden entries from missing ones', async () => {
    const view = await RootView.open(root, excludes);
    expect(view.isHidden('build/out.js')).toBe(true);
    expect(view.isHidden('missing')).toBe(false);
    expect(view.isHidden('src/x.ts')).toBe(false);
  });

  it('lists visible children and subtrees', async () => {
    const view = await RootView.open(root, excludes);
    expect(view.children('.').map((e) => e.path)).toEqual(['docs', 'src']);
    expect(view.children('docs').map((e) => e.path)).toEqual(['docs/README.md']);
    expect(view.subtree('.').map((e) => e.path)).toEqual(['docs', 'docs/README.md', 'src', 'src/x.ts']);
  });

  it('shows everything without patterns', async () => {
    const view = await RootView.open(root);
    expect(view.subtree('build')).toHaveLength(1);
    expect(view.matchOf('build').excluded).toBe(false);
  });
});

describe('RootView.isHidden', () => {
  it('does not look through symlinks', async () => {
    const outside = makeTree({ 'secret.env': 's' });
    const root = makeTree({ out: { symlink: outside } });
    const view = await RootView.open(root, ['**/*.env']);
    expect(view.isHidden('out/secret.env')).toBe(false);
  });
});

describe('RootView.absolute', () => {
  it('prefixes root-relative paths with the real root, also when the root is /', async () => {
    const root = makeTree({ 'a/b': 'x' });
    const view = await RootView.open(root);
    expect(view.absolute('.')).toBe(view.realRoot);
    expect(view.absolute('a/b')).toBe(path.join(view.realRoot, 'a/b'));
    const top = await RootView.open('/');
    expect(top.absolute('.')).toBe('/');
    expect(top.absolute('etc')).toBe('/etc');
  });
});
