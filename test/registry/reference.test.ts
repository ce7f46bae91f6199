import { describe, expect, it } from 'vitest';
import { familiarReference, formatReference, InvalidReferenceError, parseReference, RegistryErrorCode, tryParseReference } from '../../src/registry/index.js';

const hex = 'a'.repeat(64);

describe('parseReference (Docker normalisation)', () => {
  it.each([
    ['alpine', 'docker.io/library/alpine:latest'],
    ['alpine:3.20', 'docker.io/library/alpine:3.20'],
    ['user/app', 'docker.io/user/app:latest'],
    ['docker.io/alpine', 'docker.io/library/alpine:latest'],
    ['index.docker.io/library/alpine:1', 'docker.io/library/alpine:1'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/a/b', 'localhost:5000/a/b:latest'],
    ['127.0.0.1:5000/a:v1', '127.0.0.1:5000/a:v1'],
    ['ghcr.io/o/r/deep:1.0-rc_1', 'ghcr.io/o/r/deep:1.0-rc_1'],
    ['[::1]:5000/app', '[::1]:5000/app:latest'],
    ['Registry/app', 'Registry/app:latest'],
    ['a.b__c-d---e/x', 'a.b__c-d---e/x:latest'],
    [`alpine@sha256:${hex}`, `docker.io/library/alpine@sha256:${hex}`],
    [`alpine:3@sha256:${hex}`, `docker.io/library/alpine:3@sha256:${hex}`],
    [`host:5000/a:tag@sha512:${'b'.repeat(128)}`, `host:5000/a:tag@sha512:${'b'.repeat(128)}`],
  ])('%s → %s', (text, full) => {
    expect(formatReference(parseReference(text))).toBe(full);
  });

  it('splits registry, repository, tag and digest', () => {
    expect(parseReference(`localhost:5000/a/b:t@sha256:${hex}`)).toEqual({ registry: 'localhost:5000', repository: 'a/b', tag: 't', digest: `sha256:${hex}` });
    expect(parseReference('alpine', { defaultTag: false })).toEqual({ registry: 'docker.io', repository: 'library/alpine' });
  });

  it.each([
    ['', 'invalid reference format'],
    ['Alpine', 'invalid reference format: repository name (library/Alpine) must be lowercase'],
    ['user/App:1', 'invalid reference format: repository name (user/App) must be lowercase'],
    ['alpine:', 'invalid reference format'],
    ['alpine:bad/tag', 'invalid reference format'],
    [`alpine:${'t'.repeat(129)}`, 'invalid reference format'],
    ['a//b', 'invalid reference format'],
    ['-a', 'invalid reference format'],
    ['a_-b', 'invalid reference format'],
    [hex, `invalid repository name (${hex}), cannot specify 64-byte hexadecimal strings`],
    [`alpine@sha256:${'a'.repeat(63)}`, 'invalid checksum digest length'],
    [`alpine@sha256:${'a'.repeat(31)}`, 'invalid reference format'],
    [`alpine@sha256:${'a'.repeat(32)}`, 'invalid checksum digest length'],
    [`alpine@sha256:${'A'.repeat(64)}`, 'invalid checksum digest format'],
    [`alpine@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm'],
    [`${'a'.repeat(250)}/b`, 'repository name must not be more than 255 characters'],
  ])('rejects %j: %s', (text, message) => {
    const failure = (() => {
      try {
        parseReference(text);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(failure).toBeInstanceOf(InvalidReferenceError);
    expect(failure).toMatchObject({ code: RegistryErrorCode.InvalidReference, detail: message, reference: text });
    expect(tryParseReference(text)).toEqual({ ok: false, message });
  });

  it('prints the familiar form', () => {
    expect(familiarReference(parseReference('alpine'))).toBe('alpine:latest');
    expect(familiarReference(parseReference('docker.io/library/a/b:1'))).toBe('library/a/b:1');
    expect(familiarReference(parseReference('ghcr.io/o/r'))).toBe('ghcr.io/o/r:latest');
  });
});
