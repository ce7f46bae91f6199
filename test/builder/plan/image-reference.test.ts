import { describe, expect, it } from 'vitest';
import { contextLookupName } from '../../../src/builder/plan/index.js';
import { familiarReference, formatReference, tryParseReference, type RegistryReference } from '../../../src/registry/index.js';
import { plan } from './helpers.js';

/**
 * The planner reads FROM and --from values with the registry's reference parser (tested in
 * test/registry/reference.test.ts); here: what the planner makes of it.
 */
function ok(text: string, options: { defaultTag?: boolean } = {}): RegistryReference {
  const result = tryParseReference(text, options);
  if (!result.ok) throw new Error(result.message);
  return result.reference;
}

function fromError(from: string): string {
  try {
    plan(`FROM ${from}\n`);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`FROM ${from} planned`);
}

describe('image references in the plan', () => {
  it('normalises a FROM image as docker pull does', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const base = (from: string) => plan(`FROM ${from}\n`).stages[0].base;
    expect(base('alpine')).toEqual({ kind: 'image', reference: 'alpine', normalized: 'docker.io/library/alpine:latest' });
    expect(base('user/app:1.0')).toMatchObject({ normalized: 'docker.io/user/app:1.0' });
    expect(base('index.docker.io/library/busybox')).toMatchObject({ normalized: 'docker.io/library/busybox:latest' });
    expect(base('localhost:5000/team/app:v2')).toMatchObject({ normalized: 'localhost:5000/team/app:v2' });
    expect(base(`ghcr.io/o/r@${digest}`)).toMatchObject({ normalized: `ghcr.io/o/r@${digest}` });
    expect(base(`alpine:3.20@${digest}`)).toMatchObject({ normalized: `docker.io/library/alpine:3.20@${digest}` });
  });

  it("refuses invalid references with Docker's messages", () => {
    expect(fromError('Alpine')).toContain('failed to parse stage name "Alpine": invalid reference format: repository name (library/Alpine) must be lowercase');
    expect(fromError('alpine:a:b')).toContain(': invalid reference format');
    expect(fromError('a'.repeat(64))).toContain('cannot specify 64-byte hexadecimal strings');
    expect(fromError(`${'a/'.repeat(130)}a`)).toContain(': repository name must not be more than 255 characters');
    expect(fromError(`alpine@sha256:${'a'.repeat(63)}`)).toContain(': invalid checksum digest length');
  });

  it('looks named contexts up by the familiar name without :latest', () => {
    expect(familiarReference(ok('docker.io/library/alpine:latest'))).toBe('alpine:latest');
    expect(formatReference(ok('alpine', { defaultTag: false }))).toBe('docker.io/library/alpine');
    expect(contextLookupName(ok('alpine'))).toBe('alpine');
    expect(contextLookupName(ok('docker.io/library/alpine', { defaultTag: false }))).toBe('alpine');
    expect(contextLookupName(ok('alpine:3.20'))).toBe('alpine:3.20');
    expect(contextLookupName(ok('docker.io/user/app'))).toBe('user/app');
    expect(contextLookupName(ok('ghcr.io/o/r:1'))).toBe('ghcr.io/o/r:1');
  });
});
