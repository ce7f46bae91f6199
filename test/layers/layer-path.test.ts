import { describe, expect, it } from 'vitest';
import { cleanArchivePath, compareCodePoints, compareLayerPaths, layerPathProblem, opaqueWhiteoutPathFor, whiteoutPathFor } from '../../src/layers/layer-path.js';

describe('layerPathProblem', () => {
  it('accepts clean relative paths', () => {
    for (const ok of ['a', 'a/b', '.a/..b', 'é/日本', 'a b']) expect(layerPathProblem(ok)).toBeUndefined();
  });

  it('names what is wrong with unclean paths', () => {
    expect(layerPathProblem('')).toMatch(/empty/);
    expect(layerPathProblem('/a')).toMatch(/absolute/);
    expect(layerPathProblem('a/')).toMatch(/slash/);
    expect(layerPathProblem('a//b')).toMatch(/empty component/);
    expect(layerPathProblem('a/../b')).toMatch(/'\.\.'/);
    expect(layerPathProblem('./a')).toMatch(/'\.'/);
    expect(layerPathProblem('a\0b')).toMatch(/NUL/);
  });
});

describe('cleanArchivePath', () => {
  it('cleans names from archives', () => {
    expect(cleanArchivePath('./a//b/./c/')).toBe('a/b/c');
    expect(cleanArchivePath('./')).toBe('');
    expect(cleanArchivePath('.wh.x')).toBe('.wh.x');
  });

  it('rejects names that could leave the root', () => {
    for (const bad of ['/etc/passwd', '../x', 'a/../../x', 'a/..', '..', 'a\0b']) expect(cleanArchivePath(bad)).toBeUndefined();
  });
});

describe('whiteout names', () => {
  it('puts the marker beside the deleted path or inside the opaque directory', () => {
    expect(whiteoutPathFor('a/b/c')).toBe('a/b/.wh.c');
    expect(whiteoutPathFor('top')).toBe('.wh.top');
    expect(opaqueWhiteoutPathFor('a/b')).toBe('a/b/.wh..wh..opq');
  });
});

describe('compareLayerPaths', () => {
  it('orders parents before children and keeps a directory contiguous', () => {
    const paths = ['a.b', 'a/b', 'a', 'a-b', 'a/b/c', 'b', 'a0'];
    expect([...paths].sort(compareLayerPaths)).toEqual(['a', 'a/b', 'a/b/c', 'a-b', 'a.b', 'a0', 'b']);
  });

  it('puts the opaque marker first among its siblings', () => {
    const paths = ['d/.a', 'd/.wh..wh..opq', 'd', 'd/.wh.x', 'd/z'];
    expect([...paths].sort(compareLayerPaths)).toEqual(['d', 'd/.wh..wh..opq', 'd/.a', 'd/.wh.x', 'd/z']);
  });

  it('orders by code point (UTF-8 byte order), also beyond the BMP', () => {
    expect(compareCodePoints('\u{1F600}', '\uFFFD')).toBeGreaterThan(0);
    expect(compareCodePoints('é', 'z')).toBeGreaterThan(0);
    const sorted = ['\u{1F600}', '\uFFFD', 'é', 'z'].sort(compareCodePoints);
    const byBytes = ['\u{1F600}', '\uFFFD', 'é', 'z'].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(sorted).toEqual(byBytes);
  });
});
