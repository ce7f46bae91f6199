import { describe, expect, it } from 'vitest';
import { defaultPlatform, formatPlatform, normalizePlatform, parsePlatform, platformMatches, selectPlatform, type Platform } from '../../src/image/index.js';

describe('platforms', () => {
  it('parses and normalises os/architecture[/variant]', () => {
    expect(parsePlatform('linux/amd64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('Linux/x86_64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('linux/aarch64')).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(parsePlatform('linux/arm64/v8')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(parsePlatform('linux/arm')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(parsePlatform('linux/armhf')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(parsePlatform('linux/arm/6')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v6' });
    expect(formatPlatform(parsePlatform('linux/arm/v6'))).toBe('linux/arm/v6');
    for (const bad of ['linux', 'linux/', '/amd64', 'a/b/c/d', 'linux/am d64']) {
      expect(() => parsePlatform(bad)).toThrow(expect.objectContaining({ code: 'IMAGE_INVALID_PLATFORM' }) as Error);
    }
  });

  it('defaults to linux on this machine', () => {
    expect(defaultPlatform().os).toBe('linux');
    expect(defaultPlatform().architecture).toBe(process.arch === 'x64' ? 'amd64' : normalizePlatform({ os: 'linux', architecture: process.arch }).architecture);
  });

  it('matches os and architecture, arm64 with or without v8, older arm variants for a newer arm', () => {
    expect(platformMatches(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'amd64' })).toBe(true);
    expect(platformMatches(parsePlatform('linux/amd64'), { os: 'windows', architecture: 'amd64' })).toBe(false);
    expect(platformMatches(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe(true);
    expect(platformMatches(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64' })).toBe(true);
    expect(platformMatches(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm', variant: 'v6' })).toBe(true);
    expect(platformMatches(parsePlatform('linux/arm/v6'), { os: 'linux', architecture: 'arm', variant: 'v7' })).toBe(false);
  });

  it('selects the best candidate', () => {
    const candidates: (Platform | undefined)[] = [
      undefined,
      { os: 'linux', architecture: 'arm', variant: 'v6' },
      { os: 'linux', architecture: 'arm', variant: 'v7' },
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ];
    const pick = (text: string): number => selectPlatform(candidates, (platform) => platform, parsePlatform(text));
    expect(pick('linux/amd64')).toBe(3);
    expect(pick('linux/arm/v7')).toBe(2);
    expect(pick('linux/arm/v6')).toBe(1);
    expect(pick('linux/arm64')).toBe(4);
    expect(pick('linux/s390x')).toBe(-1);
    expect(selectPlatform(candidates.slice(0, 2), (platform) => platform, parsePlatform('linux/arm/v8'))).toBe(1);
  });
});
