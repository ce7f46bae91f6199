import { describe, expect, it } from 'vitest';
import { automaticArgNames } from '../../../src/builder/plan/index.js';
import { plan } from './helpers.js';

describe('automatic global ARGs', () => {
  it('describe the build and target platforms and the target stage', () => {
    const built = plan('FROM alpine AS app\n', { buildPlatform: 'linux/amd64', platform: 'linux/arm/v7' });
    expect(Object.fromEntries(automaticArgNames.map((name) => [name, built.variables.globalArgs.get(name)]))).toEqual({
      BUILDPLATFORM: 'linux/amd64',
      BUILDOS: 'linux',
      BUILDARCH: 'amd64',
      BUILDVARIANT: '',
      TARGETPLATFORM: 'linux/arm/v7',
      TARGETOS: 'linux',
      TARGETARCH: 'arm',
      TARGETVARIANT: 'v7',
      TARGETSTAGE: 'app',
    });
    expect(built.implicitTargetPlatform).toBe(false);
  });

  it('default the target platform to the build platform, normalised', () => {
    const built = plan('FROM alpine\n', { buildPlatform: 'linux/arm64/v8' });
    expect(built.targetPlatform).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(built.implicitTargetPlatform).toBe(true);
    expect(built.variables.globalArgs.get('TARGETPLATFORM')).toBe('linux/arm64');
    expect(built.variables.globalArgs.get('TARGETVARIANT')).toBe('');
  });

  it('name the --target stage, or "default" for an unnamed last stage', () => {
    expect(plan('FROM alpine AS a\nFROM alpine\n').variables.globalArgs.get('TARGETSTAGE')).toBe('default');
    expect(plan('FROM alpine AS a\nFROM alpine\n', { target: 'a' }).variables.globalArgs.get('TARGETSTAGE')).toBe('a');
  });

  it('can be overridden by build arguments', () => {
    const built = plan('FROM alpine\n', { buildArgs: { TARGETARCH: 'riscv64' } });
    expect(built.variables.globalArgs.get('TARGETARCH')).toBe('riscv64');
    expect(built.unusedBuildArgs).toEqual([]);
  });

  it('are usable in FROM without being declared', () => {
    const built = plan('FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM alpine:$TARGETARCH\n', { platform: 'linux/arm64' });
    expect(built.stages[0].platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(built.stages[1].baseName).toBe('alpine:arm64');
  });
});

describe('global ARGs before the first FROM', () => {
  it('expand defaults with earlier global ARGs and build arguments', () => {
    const built = plan('ARG VERSION=1\nARG IMAGE=app:v$VERSION\nFROM $IMAGE\n', { buildArgs: { VERSION: '2' } });
    expect(built.stages[0].baseName).toBe('app:v2');
  });

  it('stay unset without default or build argument', () => {
    const built = plan('ARG TAG\nFROM alpine:${TAG:-edge}\n');
    expect(built.stages[0].baseName).toBe('alpine:edge');
    expect(built.variables.globalArgs.has('TAG')).toBe(false);
  });

  it('do not see undeclared build arguments', () => {
    expect(plan('FROM alpine:${TAG:-edge}\n', { buildArgs: { TAG: '3' } }).stages[0].baseName).toBe('alpine:edge');
  });

  it('let a later declaration replace an earlier one', () => {
    expect(plan('ARG T=1\nARG T=$T.1\nFROM alpine:$T\n').stages[0].baseName).toBe('alpine:1.1');
  });

  it('report expansion failures at the ARG', () => {
    expect(() => plan('ARG A\nARG B=${A:?required}\nFROM alpine\n')).toThrow(/^Dockerfile:2:1: failed to expand "\$\{A:\?required\}": .*required/);
  });
});
