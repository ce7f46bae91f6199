import { describe, expect, it } from 'vitest';
import { SymlinkEscapeError, SymlinkLoopError } from '../../src/context/index.js';
import { resolveInRoot } from '../../src/context/resolve-path.js';
import { RootView } from '../../src/context/root-view.js';
import { makeTree } from './fixtures.js';

describe('resolveInRoot', () => {
  const root = makeTree({
    'a/b/file': 'f',
    'a/up': { symlink: '..' },
    'a/b/back': { symlink: '../../a/b/file' },
    'a/abs': { symlink: '/a/b/file' },
    'a/trailing': { symlink: 'b/' },
    'self': { symlink: 'self' },
    'out': { symlink: 'a/../..' },
  });

  it('walks .. from where the symlink led, like the kernel', async () => {
    const view = await RootView.open(root);
    expect(resolveInRoot(view, 'a/up/a/b/file', { followFinal: true, policy: 'error' })).toMatchObject({ found: true, path: 'a/b/file' });
    expect(resolveInRoot(view, 'a/b/back', { followFinal: true, policy: 'error' })).toMatchObject({ found: true, path: 'a/b/file' });
    expect(resolveInRoot(view, 'a/trailing', { followFinal: true, policy: 'error' })).toMatchObject({ found: true, path: 'a/b' });
  });

  it('leaves the last symlink alone unless asked to follow it', async () => {
    const view = await RootView.open(root);
    const result = resolveInRoot(view, 'a/b/back', { followFinal: false, policy: 'error' });
    expect(result).toMatchObject({ found: true, path: 'a/b/back' });
    expect(result.found && result.entry.type).toBe('symlink');
  });

  it('reports a file used as a directory', async () => {
    const view = await RootView.open(root);
    expect(resolveInRoot(view, 'a/b/file/x', { followFinal: true, policy: 'error' })).toEqual({ found: false, reason: 'not a directory' });
  });

  it('applies the escape policy to absolute targets and to .. above the root', async () => {
    const view = await RootView.open(root);
    expect(() => resolveInRoot(view, 'a/abs', { followFinal: true, policy: 'error' })).toThrow(SymlinkEscapeError);
    expect(() => resolveInRoot(view, 'out', { followFinal: true, policy: 'error' })).toThrow(expect.objectContaining({ path: 'out', linkTarget: 'a/../..' }));
    expect(resolveInRoot(view, 'a/abs', { followFinal: true, policy: 'scoped' })).toMatchObject({ found: true, path: 'a/b/file' });
    expect(resolveInRoot(view, 'out', { followFinal: true, policy: 'scoped' })).toMatchObject({ found: true, path: '.' });
  });

  it('stops on symlink loops', async () => {
    const view = await RootView.open(root);
    expect(() => resolveInRoot(view, 'self', { followFinal: true, policy: 'scoped' })).toThrow(SymlinkLoopError);
  });
});
