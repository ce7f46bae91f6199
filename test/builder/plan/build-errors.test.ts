import { describe, expect, it } from 'vitest';
import {
  BuildError,
  BuildErrorCode,
  DockerfileInvalidError,
  ImageReferenceError,
  InstructionValueError,
  OnbuildTriggerError,
  PlatformError,
  StageResolutionError,
  VariableExpansionError,
} from '../../../src/builder/errors.js';

const range = { start: { line: 12, column: 5, offset: 200 }, end: { line: 12, column: 9, offset: 204 } };

describe('BuildError', () => {
  it('reads file:line:column: detail. hint', () => {
    const error = new BuildError(BuildErrorCode.InvalidPort, 'invalid proto: foo', { location: { file: 'ctx/Dockerfile', range }, hint: 'Use tcp' });
    expect(error.message).toBe('ctx/Dockerfile:12:5: invalid proto: foo. Use tcp');
    expect(error).toMatchObject({ code: 'INVALID_EXPOSE_PORT', detail: 'invalid proto: foo', hint: 'Use tcp', name: 'BuildError' });
    expect(new BuildError(BuildErrorCode.NoStages, 'no stages').message).toBe('no stages');
  });

  it('has one subclass per kind of problem, all BuildErrors with a stable code', () => {
    const errors = [
      new DockerfileInvalidError('bad', []),
      new StageResolutionError(BuildErrorCode.UnknownTarget, 'x'),
      new PlatformError(BuildErrorCode.InvalidPlatform, 'x'),
      new ImageReferenceError(BuildErrorCode.InvalidImageReference, 'x'),
      new VariableExpansionError(BuildErrorCode.ExpansionFailed, 'x'),
      new InstructionValueError(BuildErrorCode.InvalidVolume, 'x'),
      new OnbuildTriggerError(BuildErrorCode.InvalidOnbuildTrigger, 'x'),
    ];
    expect(errors.map((error) => [error.name, error instanceof BuildError, error instanceof Error])).toEqual([
      ['DockerfileInvalidError', true, true],
      ['StageResolutionError', true, true],
      ['PlatformError', true, true],
      ['ImageReferenceError', true, true],
      ['VariableExpansionError', true, true],
      ['InstructionValueError', true, true],
      ['OnbuildTriggerError', true, true],
    ]);
    expect(errors[0].code).toBe('DOCKERFILE_INVALID');
    expect(new Set(Object.values(BuildErrorCode)).size).toBe(Object.values(BuildErrorCode).length);
  });

  it('keeps the cause', () => {
    const cause = new Error('inner');
    expect(new BuildError(BuildErrorCode.ExpansionFailed, 'x', { cause }).cause).toBe(cause);
  });
});
