import { describe, expect, it } from 'vitest';
import { expandSelection, selectSources } from '../../src/context/index.js';
import { makeTree } from './fixtures.js';

describe('expandSelection', () => {
  const root = makeTree({
    'src/a.ts': 'a',
    'src/lib/b.ts': 'b',
    'src/lib/b.test.ts': 't',
    'src/link': { symlink: '../outside' },
    'link-src': { symlink: 'src' },
    'one.txt': '1',
  });
  const excludes = ['**/*.test.ts'];

  it('lists a directory source with everything below it that .dockerignore keeps, symlinks as symlinks', async () => {
    const selected = await selectSources(root, 'src', { excludes });
    const [expanded] = await expandSelection(root, selected, { excludes });
    expect(expanded.entries.map((e) => [e.relative, e.entry.path, e.entry.type])).toEqual([
      ['.', 'src', 'directory'],
      ['a.ts', 'src/a.ts', 'file'],
      ['lib', 'src/lib', 'directory'],
      ['lib/b.ts', 'src/lib/b.ts', 'file'],
      ['link', 'src/link', 'symlink'],
    ]);
  });

  it('expands a followed directory symlink from where it points', async () => {
    const selected = await selectSources(root, 'link-src', { excludes });
    const [expanded] = await expandSelection(root, selected, { excludes });
    expect(expanded.source.path).toBe('link-src');
    expect(expanded.entries.map((e) => e.relative)).toEqual(['.', 'a.ts', 'lib', 'lib/b.ts', 'link']);
  });

  it('keeps a file source as itself', async () => {
    const selected = [...(await selectSources(root, 'one.txt')), ...(await selectSources(root, 'src/a.ts'))];
    const expanded = await expandSelection(root, selected);
    expect(expanded.map((x) => x.entries.map((e) => [e.relative, e.entry.path]))).toEqual([[['.', 'one.txt']], [['.', 'src/a.ts']]]);
  });
});
