import { describe, expect, it } from 'vitest';
import { checkRepoTag, formatImageReference, normalizeDockerReference, parseImageReference, type ImageReference } from '../../src/image/index.js';

const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('image references', () => {
  const cases: [string, ImageReference, string?][] = [
    ['oci-layout:///srv/images/app', { transport: 'oci-layout', path: '/srv/images/app' }],
    ['oci-layout:///srv/images/app:v1.2', { transport: 'oci-layout', path: '/srv/images/app', tag: 'v1.2' }],
    [`oci-layout:///srv/app@${digest}`, { transport: 'oci-layout', path: '/srv/app', digest }],
    [`oci-layout://rel/app:v1@${digest}`, { transport: 'oci-layout', path: 'rel/app', tag: 'v1', digest }],
    ['oci-layout:///odd:dir/app', { transport: 'oci-layout', path: '/odd:dir/app' }],
    ['oci:/srv/app:v1', { transport: 'oci-layout', path: '/srv/app', tag: 'v1' }, 'oci-layout:///srv/app:v1'],
    ['oci:relative', { transport: 'oci-layout', path: 'relative' }, 'oci-layout://relative'],
    ['oci-archive:/tmp/app.tar', { transport: 'oci-archive', path: '/tmp/app.tar' }],
    ['oci-archive:/tmp/app.tar:latest', { transport: 'oci-archive', path: '/tmp/app.tar', tag: 'latest' }],
    ['docker-archive:/tmp/app.tar', { transport: 'docker-archive', path: '/tmp/app.tar' }],
    ['docker-archive:/tmp/app.tar:app', { transport: 'docker-archive', path: '/tmp/app.tar', tag: 'app:latest' }, 'docker-archive:/tmp/app.tar:app:latest'],
    [
      'docker-archive:/tmp/app.tar:localhost:5000/team/app:1.0',
      { transport: 'docker-archive', path: '/tmp/app.tar', tag: 'localhost:5000/team/app:1.0' },
    ],
    ['docker-archive:/tmp/app.tar:@1', { transport: 'docker-archive', path: '/tmp/app.tar', index: 1 }],
  ];

  it.each(cases)('parses %s', (text, expected, formatted) => {
    const parsed = parseImageReference(text);
    expect(parsed).toEqual(expected);
    expect(formatImageReference(parsed)).toBe(formatted ?? text);
    expect(parseImageReference(formatImageReference(parsed))).toEqual(expected);
  });

  it.each([
    ['busybox', 'IMAGE_INVALID_REFERENCE'],
    ['docker://busybox', 'IMAGE_UNSUPPORTED_TRANSPORT'],
    ['oci-layout:/no/slashes', 'IMAGE_INVALID_REFERENCE'],
    ['oci-layout://', 'IMAGE_INVALID_REFERENCE'],
    ['oci-layout:///x@sha256:short', 'IMAGE_INVALID_REFERENCE'],
    ['oci-layout:///x:bad tag', 'IMAGE_INVALID_REFERENCE'],
    ['oci-archive::tag', 'IMAGE_INVALID_REFERENCE'],
    ['docker-archive:/x.tar:Upper/Case', 'IMAGE_INVALID_REFERENCE'],
    ['docker-archive:/x.tar:@x', 'IMAGE_INVALID_REFERENCE'],
  ])('rejects %s', (text, code) => {
    expect(() => parseImageReference(text)).toThrow(expect.objectContaining({ code, reference: text }) as Error);
  });

  it('normalises Docker names for comparison', () => {
    expect(normalizeDockerReference('busybox')).toBe('docker.io/library/busybox:latest');
    expect(normalizeDockerReference('busybox:1')).toBe('docker.io/library/busybox:1');
    expect(normalizeDockerReference('me/app:1')).toBe('docker.io/me/app:1');
    expect(normalizeDockerReference('localhost:5000/app')).toBe('localhost:5000/app:latest');
    expect(normalizeDockerReference('docker.io/library/busybox:latest')).toBe('docker.io/library/busybox:latest');
    expect(checkRepoTag('app')).toBe('app:latest');
    expect(() => checkRepoTag('App')).toThrow(expect.objectContaining({ code: 'IMAGE_INVALID_REFERENCE' }) as Error);
  });
});
