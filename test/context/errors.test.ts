import { describe, expect, it } from 'vitest';
import {
  ContextError,
  ContextErrorCode,
  SourceNotFoundError,
  SymlinkEscapeError,
  ContextReadError,
} from '../../src/context/index.js';

describe('context errors', () => {
  it('have stable, distinct codes', () => {
    const codes = Object.values(ContextErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^CONTEXT_[A-Z_]+$/);
  });

  it('are ContextErrors that say what to do', () => {
    const notFound = new SourceNotFoundError('x', '/x', 'not found');
    expect(notFound).toBeInstanceOf(ContextError);
    expect(notFound.name).toBe('SourceNotFoundError');
    expect(notFound.message).toMatch(/^failed to compute cache key: "\/x": not found \(check/);
    const hidden = new SourceNotFoundError('x', '/x', 'not found', true);
    expect(hidden.message).toContain("add a '!x' exception");
    expect(new SymlinkEscapeError('l', '/etc').message).toContain('points outside the build context');
    const read = new ContextReadError('a', 'list', Object.assign(new Error('denied'), { code: 'EACCES' }));
    expect(read.message).toContain('(EACCES)');
    expect(read.cause).toBeInstanceOf(Error);
  });
});
