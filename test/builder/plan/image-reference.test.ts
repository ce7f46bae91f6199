import { describe, expect, it } from 'vitest';
import {
  contextLookupName,
  familiarReference,
  formatReference,
  parseImageReference,
  withDefaultTag,
  type ImageReference,
} from '../../../src/builder/plan/index.js';

function ok(text: string): ImageReference {
  const result = parseImageReference(text);
  if (!result.ok) throw new Error(result.message);
  return result.reference;
}

function message(text: string): string {
  const result = parseImageReference(text);
  if (result.ok) throw new Error(`${text} parsed`);
  return result.message;
}

describe('parseImageReference (ParseNormalizedNamed)', () => {
  it('adds docker.io and library/ for Docker Hub names', () => {
    expect(ok('alpine')).toEqual({ domain: 'docker.io', path: 'library/alpine', tag: undefined, digest: undefined });
    expect(ok('user/app:1.0')).toEqual({ domain: 'docker.io', path: 'user/app', tag: '1.0', digest: undefined });
    expect(ok('index.docker.io/library/busybox').domain).toBe('docker.io');
  });

  it('reads registries with ports, localhost, tags and digests', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(ok('localhost:5000/team/app:v2')).toEqual({ domain: 'localhost:5000', path: 'team/app', tag: 'v2', digest: undefined });
    expect(ok('localhost/app').domain).toBe('localhost');
    expect(ok(`ghcr.io/o/r@${digest}`)).toEqual({ domain: 'ghcr.io', path: 'o/r', tag: undefined, digest });
    expect(ok(`alpine:3.20@${digest}`).tag).toBe('3.20');
  });

  it('refuses upper case, bad syntax and bare hex ids', () => {
    expect(message('Alpine')).toBe('invalid reference format: repository name (library/Alpine) must be lowercase');
    expect(message('alpine:a:b')).toBe('invalid reference format');
    expect(message('a b')).toBe('invalid reference format');
    expect(message('a'.repeat(64))).toContain('cannot specify 64-byte hexadecimal strings');
    expect(message(`${'a/'.repeat(130)}a`)).toContain('must not be more than 255 characters');
  });
});

describe('reference forms', () => {
  it('adds latest only without tag or digest', () => {
    expect(formatReference(withDefaultTag(ok('alpine')))).toBe('docker.io/library/alpine:latest');
    expect(formatReference(withDefaultTag(ok('alpine:3')))).toBe('docker.io/library/alpine:3');
  });

  it('prints the familiar form and the named-context key', () => {
    expect(familiarReference(ok('docker.io/library/alpine:latest'))).toBe('alpine:latest');
    expect(familiarReference(ok('docker.io/user/app'))).toBe('user/app');
    expect(familiarReference(ok('ghcr.io/o/r:1'))).toBe('ghcr.io/o/r:1');
    expect(contextLookupName(withDefaultTag(ok('alpine')))).toBe('alpine');
    expect(contextLookupName(ok('alpine:3.20'))).toBe('alpine:3.20');
  });
});
