import { describe, expect, it } from 'vitest';
import { ParseErrorCode } from '../../../src/parser/errors.js';
import { toInstruction } from '../../../src/parser/instructions/index.js';
import { context, fail, ok, summary, syntaxNode } from './helpers.js';

describe('FROM', () => {
  it('reads an image', () => {
    const node = syntaxNode({ keyword: 'FROM', args: ['alpine:3.20'] });
    const { instruction } = toInstruction(node, context);
    expect(instruction).toMatchObject({
      kind: 'FROM',
      image: { value: 'alpine:3.20', range: node.args[0].range },
      stageName: undefined,
      platform: undefined,
    });
  });

  it('reads AS in any case and lower-cases the stage name', () => {
    const node = syntaxNode({ keyword: 'from', args: ['golang:1.22', 'as', 'Build-Stage_1.x'] });
    const { instruction } = toInstruction(node, context);
    expect(instruction?.kind === 'FROM' && instruction.stageName).toEqual({ value: 'build-stage_1.x', range: node.args[2].range });
    expect(ok('FROM', { keyword: 'FROM', args: ['a', 'As', 'b'] }).stageName?.value).toBe('b');
  });

  it('reads --platform unexpanded', () => {
    expect(ok('FROM', { keyword: 'FROM', flags: ['--platform=$BUILDPLATFORM'], args: ['golang'] }).platform?.value).toBe('$BUILDPLATFORM');
  });

  it('keeps a variable image reference', () => {
    expect(ok('FROM', { keyword: 'FROM', args: ['${BASE}:${TAG}'] }).image.value).toBe('${BASE}:${TAG}');
  });

  it('rejects a bad stage name at the name', () => {
    const node = syntaxNode({ keyword: 'FROM', args: ['alpine', 'AS', '1st'] });
    const { errors } = toInstruction(node, context);
    expect(summary(errors)).toEqual([
      [ParseErrorCode.InvalidArguments, 'invalid name for build stage: "1st", name can\'t start with a number or contain symbols'],
    ]);
    expect(errors[0].range).toEqual(node.args[2].range);
    expect(summary(fail({ keyword: 'FROM', args: ['alpine', 'AS', 'my/stage'] }))[0][1]).toContain('"my/stage"');
    expect(summary(fail({ keyword: 'FROM', args: ['alpine', 'AS', '$NAME'] }))[0][1]).toContain('"$NAME"');
  });

  it('needs one or three arguments', () => {
    const message = 'FROM requires either one or three arguments';
    expect(summary(fail({ keyword: 'FROM' }))).toEqual([[ParseErrorCode.MissingArguments, message]]);
    expect(summary(fail({ keyword: 'FROM', args: ['a', 'AS'] }))).toEqual([[ParseErrorCode.InvalidArguments, message]]);
    expect(summary(fail({ keyword: 'FROM', args: ['a', 'b', 'c'] }))).toEqual([[ParseErrorCode.InvalidArguments, message]]);
    expect(summary(fail({ keyword: 'FROM', args: ['a', 'AS', 'b', 'c'] }))).toEqual([[ParseErrorCode.InvalidArguments, message]]);
  });

  it('checks flags as well as arguments', () => {
    expect(summary(fail({ keyword: 'FROM', flags: ['--platform=a', '--platform=b', '--plaform=c'], args: ['x', 'y'] }))).toEqual([
      [ParseErrorCode.DuplicateFlag, 'duplicate flag specified: --platform'],
      [ParseErrorCode.UnknownFlag, 'unknown flag: --plaform (did you mean platform?)'],
      [ParseErrorCode.InvalidArguments, 'FROM requires either one or three arguments'],
    ]);
  });
});
