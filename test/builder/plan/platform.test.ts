import { describe, expect, it } from 'vitest';
import { BuildErrorCode, PlatformError } from '../../../src/builder/errors.js';
import {
  defaultBuildPlatform,
  formatPlatform,
  formatPlatformAll,
  hostPlatform,
  normalizePlatform,
  parsePlatform,
} from '../../../src/builder/plan/index.js';

const amd64 = { os: 'linux', architecture: 'amd64' };

describe('parsePlatform (containerd Parse + Normalize)', () => {
  it('reads os/arch and os/arch/variant', () => {
    expect(parsePlatform('linux/amd64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('linux/arm/v6')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v6' });
    expect(parsePlatform('windows/amd64')).toEqual({ os: 'windows', architecture: 'amd64' });
  });

  it('normalises as containerd: arm → v7, arm64/v8 and amd64/v1 lose the variant, aliases', () => {
    expect(parsePlatform('linux/arm')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(parsePlatform('linux/arm64/v8')).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(parsePlatform('linux/arm64')).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(parsePlatform('linux/amd64/v1')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('linux/amd64/v3')).toEqual({ os: 'linux', architecture: 'amd64', variant: 'v3' });
    expect(parsePlatform('Linux/x86_64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('linux/aarch64')).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(parsePlatform('linux/armhf')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(parsePlatform('linux/armel')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v6' });
    expect(parsePlatform('linux/i386')).toEqual({ os: 'linux', architecture: '386' });
    expect(parsePlatform('macos/arm64')).toEqual({ os: 'darwin', architecture: 'arm64' });
    expect(parsePlatform('linux/arm/7')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
  });

  it('fills a single component from the defaults (the build platform)', () => {
    const defaults = { os: 'linux', architecture: 'arm64' };
    expect(parsePlatform('linux', { defaults })).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(parsePlatform('amd64', { defaults })).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('armhf', { defaults })).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
  });

  it('keeps an os version', () => {
    expect(parsePlatform('windows(10.0.17763)/amd64')).toEqual({ os: 'windows', architecture: 'amd64', osVersion: '10.0.17763' });
    expect(formatPlatformAll(parsePlatform('windows(10.0.17763)/amd64'))).toBe('windows(10.0.17763)/amd64');
  });

  it('refuses what containerd refuses, with a typed error', () => {
    for (const text of ['', 'linux/amd64/v8/x', 'linux/*', 'foo', 'linux/a b', 'lin ux/amd64', 'linux//amd64']) {
      let error: unknown;
      try {
        parsePlatform(text, { defaults: amd64 });
      } catch (caught) {
        error = caught;
      }
      expect(error, text).toBeInstanceOf(PlatformError);
      expect((error as PlatformError).code).toBe(BuildErrorCode.InvalidPlatform);
      expect((error as PlatformError).message).toContain('os/architecture');
    }
  });
});

describe('formatPlatform', () => {
  it('writes os/arch[/variant]', () => {
    expect(formatPlatform({ os: 'linux', architecture: 'arm', variant: 'v7' })).toBe('linux/arm/v7');
    expect(formatPlatform({ os: 'linux', architecture: 'amd64' })).toBe('linux/amd64');
    expect(formatPlatform({ os: '', architecture: 'amd64' })).toBe('unknown');
  });
});

describe('normalizePlatform', () => {
  it('normalises objects too', () => {
    expect(normalizePlatform({ os: 'Linux', architecture: 'aarch64', variant: 'v8' })).toEqual({ os: 'linux', architecture: 'arm64' });
  });
});

describe('host platforms', () => {
  it('builds for linux on this machine\'s architecture, in Go names', () => {
    const platform = defaultBuildPlatform();
    expect(platform.os).toBe('linux');
    const expected: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' };
    if (expected[process.arch]) expect(platform.architecture).toBe(expected[process.arch]);
    expect(platform.architecture === 'arm64' ? platform.variant : undefined).toBeUndefined();
  });

  it('reports the real host os', () => {
    const names: Record<string, string> = { linux: 'linux', darwin: 'darwin', win32: 'windows' };
    if (names[process.platform]) expect(hostPlatform().os).toBe(names[process.platform]);
    expect(hostPlatform().architecture).toBe(defaultBuildPlatform().architecture);
  });
});
