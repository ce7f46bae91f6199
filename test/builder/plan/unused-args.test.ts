import { describe, expect, it } from 'vitest';
import { unusedBuildArgsMessage } from '../../../src/builder/plan/index.js';
import { plan } from './helpers.js';

describe('build arguments nobody consumes', () => {
  it('are listed with Docker\'s warning', () => {
    const built = plan('ARG GLOBAL\nFROM alpine\nARG USED\nRUN true\n', { buildArgs: { USED: '1', GLOBAL: '2', ZED: '3', EXTRA: '4' } });
    expect(built.unusedBuildArgs).toEqual(['EXTRA', 'ZED']);
    expect(built.warnings).toEqual([{ code: 'UNUSED_BUILD_ARGS', message: '[Warning] One or more build-args [EXTRA ZED] were not consumed' }]);
  });

  it('count only ARGs of stages the build runs', () => {
    const text = 'FROM alpine AS other\nARG ONLY_OTHER\nFROM alpine AS main\nRUN true\n';
    expect(plan(text, { buildArgs: { ONLY_OTHER: 'x' } }).unusedBuildArgs).toEqual(['ONLY_OTHER']);
    expect(plan(text, { buildArgs: { ONLY_OTHER: 'x' }, target: 'other' }).unusedBuildArgs).toEqual([]);
  });

  it('never include proxy or automatic platform arguments', () => {
    const built = plan('FROM alpine\n', { buildArgs: { HTTPS_PROXY: 'x', no_proxy: 'y', ALL_PROXY: 'z', TARGETOS: 'linux' } });
    expect(built.unusedBuildArgs).toEqual([]);
    expect(built.warnings).toEqual([]);
  });

  it('formats the message as Go prints a list', () => {
    expect(unusedBuildArgsMessage(['A'])).toBe('[Warning] One or more build-args [A] were not consumed');
  });
});
