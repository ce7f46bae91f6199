import { describe, expect, it } from 'vitest';
import { cleanPath, joinPath, normalizeWorkdir } from '../../../src/builder/config/index.js';

describe('normalizeWorkdir (BuildKit, Linux)', () => {
  it('joins a relative path to the current directory and cleans it', () => {
    expect(normalizeWorkdir('/app', 'src')).toBe('/app/src');
    expect(normalizeWorkdir('/app', '../x/./y/')).toBe('/x/y');
    expect(normalizeWorkdir(undefined, 'x')).toBe('/x');
    expect(normalizeWorkdir('', '.')).toBe('/');
    expect(normalizeWorkdir('rel', 'x')).toBe('/rel/x');
  });

  it('keeps an absolute path exactly as written', () => {
    expect(normalizeWorkdir('/app', '/srv/')).toBe('/srv/');
    expect(normalizeWorkdir('/app', '/a/../b')).toBe('/a/../b');
  });

  it('keeps the current directory for an empty path', () => {
    expect(normalizeWorkdir('/app', '')).toBe('/app');
  });
});

describe('Go path helpers', () => {
  it('clean and join like Go\'s path package', () => {
    expect(cleanPath('')).toBe('.');
    expect(cleanPath('a/../..')).toBe('..');
    expect(cleanPath('/../a//b/')).toBe('/a/b');
    expect(joinPath('', '')).toBe('');
    expect(joinPath('/a', '', 'b/')).toBe('/a/b');
  });
});
