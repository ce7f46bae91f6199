import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultStoreRoot, StoreLayout } from '../../src/cache/index.js';

describe('store layout', () => {
  it('defaults to $XDG_CACHE_HOME/build-image, else ~/.cache/build-image', () => {
    expect(defaultStoreRoot({ XDG_CACHE_HOME: '/var/cache/me' }, '/home/me')).toBe('/var/cache/me/build-image');
    expect(defaultStoreRoot({}, '/home/me')).toBe('/home/me/.cache/build-image');
    expect(defaultStoreRoot({ XDG_CACHE_HOME: '' }, '/home/me')).toBe('/home/me/.cache/build-image');
    // The XDG spec says relative paths are to be ignored.
    expect(defaultStoreRoot({ XDG_CACHE_HOME: 'relative' }, '/home/me')).toBe('/home/me/.cache/build-image');
  });

  it('names blobs and snapshots by digest', () => {
    const layout = new StoreLayout('/store');
    const digest = `sha256:${'ab'.repeat(32)}`;
    expect(layout.blob(digest)).toBe(path.join('/store/blobs/sha256', 'ab'.repeat(32)));
    expect(layout.snapshot(digest)).toBe(path.join('/store/snapshots/sha256', 'ab'.repeat(32)));
    expect(() => layout.blob('sha256:../../etc')).toThrow(expect.objectContaining({ code: 'IMAGE_INVALID_DIGEST' }) as Error);
  });
});
