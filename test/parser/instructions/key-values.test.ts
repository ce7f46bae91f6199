import { describe, expect, it } from 'vitest';
import { ParseErrorCode } from '../../../src/parser/errors.js';
import { toInstruction } from '../../../src/parser/instructions/index.js';
import { context, fail, ok, summary, syntaxNode } from './helpers.js';

describe.each(['ENV', 'LABEL'] as const)('%s', (keyword) => {
  const pairsOf = (spec: Parameters<typeof syntaxNode>[0]) => {
    const { instruction, errors } = toInstruction(syntaxNode(spec), context);
    expect(errors).toEqual([]);
    if (instruction?.kind !== keyword) throw new Error(`expected ${keyword}`);
    return instruction.pairs;
  };

  it('reads key=value pairs with quotes and escapes kept', () => {
    const node = syntaxNode({ keyword, pairs: [['name', '"value value1"'], ['other', 'a\\ b'], ['empty', '']] });
    const pairs = pairsOf({ keyword, pairs: [['name', '"value value1"'], ['other', 'a\\ b'], ['empty', '']] });
    expect(pairs.map(({ key, value, legacy }) => ({ key, value, legacy }))).toEqual([
      { key: 'name', value: '"value value1"', legacy: false },
      { key: 'other', value: 'a\\ b', legacy: false },
      { key: 'empty', value: '', legacy: false },
    ]);
    expect(pairs[0].keyRange).toEqual(node.args[0].range);
    expect(pairs[0].valueRange).toEqual(node.args[1].range);
    expect(pairs[0].range).toEqual({ start: node.args[0].range.start, end: node.args[1].range.end });
  });

  it('reads the old KEY value form', () => {
    const pairs = pairsOf({ keyword, pairs: [['PATH', '/usr/local/bin:$PATH with spaces', 'legacy']] });
    expect(pairs).toHaveLength(1);
    expect(pairs[0]).toMatchObject({ key: 'PATH', value: '/usr/local/bin:$PATH with spaces', legacy: true });
  });

  it('needs at least one pair', () => {
    expect(summary(fail({ keyword }))).toEqual([[ParseErrorCode.MissingArguments, `${keyword} requires at least one argument`]]);
  });

  it('needs a value (env_no_value)', () => {
    expect(summary(fail({ keyword, args: ['PATH'] }))).toEqual([[ParseErrorCode.MissingArguments, `${keyword} must have two arguments`]]);
    expect(summary(fail({ keyword, pairs: [['PATH', '', 'legacy']] }))).toEqual([
      [ParseErrorCode.MissingArguments, `${keyword} must have two arguments`],
    ]);
  });

  it('rejects a blank name', () => {
    const node = syntaxNode({ keyword, pairs: [['', 'x'], ['ok', 'y']] });
    const { errors } = toInstruction(node, context);
    expect(summary(errors)).toEqual([[ParseErrorCode.InvalidArguments, `${keyword} names can not be blank`]]);
    expect(errors[0].range).toEqual(node.args[0].range);
  });

  it('rejects arguments that are not triples', () => {
    expect(summary(fail({ keyword, args: ['a', 'b'] }))).toEqual([[ParseErrorCode.InvalidArguments, `Bad input to ${keyword}, too many arguments`]]);
    expect(summary(fail({ keyword, args: ['a', 'b', '=', 'c'] }))).toEqual([
      [ParseErrorCode.InvalidArguments, `Bad input to ${keyword}, too many arguments`],
    ]);
  });

  it('takes no flags', () => {
    expect(summary(fail({ keyword, flags: ['--x=y'], pairs: [['a', 'b']] }))).toEqual([[ParseErrorCode.UnknownFlag, 'unknown flag: --x']]);
  });

  it('keeps variables unexpanded', () => {
    expect(pairsOf({ keyword, pairs: [['${KEY}', '$VALUE']] })[0]).toMatchObject({ key: '${KEY}', value: '$VALUE' });
  });
});

describe('ARG', () => {
  it('reads names and defaults, quotes kept', () => {
    const node = syntaxNode({ keyword: 'ARG', args: ['VERSION', 'abc="123 456"', 'EMPTY=', 'URL=http://x/?a=b'] });
    const { instruction } = toInstruction(node, context);
    expect(instruction?.kind === 'ARG' && instruction.args).toEqual([
      { name: 'VERSION', defaultValue: undefined, range: node.args[0].range },
      { name: 'abc', defaultValue: '"123 456"', range: node.args[1].range },
      { name: 'EMPTY', defaultValue: '', range: node.args[2].range },
      { name: 'URL', defaultValue: 'http://x/?a=b', range: node.args[3].range },
    ]);
  });

  it('keeps variables in defaults', () => {
    expect(ok('ARG', { keyword: 'ARG', args: ['B=${A:-x}'] }).args[0]).toMatchObject({ name: 'B', defaultValue: '${A:-x}' });
  });

  it('needs at least one argument', () => {
    expect(summary(fail({ keyword: 'ARG' }))).toEqual([[ParseErrorCode.MissingArguments, 'ARG requires at least one argument']]);
  });

  it('rejects blank names, each at its word', () => {
    const node = syntaxNode({ keyword: 'ARG', args: ['=x', 'ok', '=y'] });
    const { errors } = toInstruction(node, context);
    expect(summary(errors)).toEqual([
      [ParseErrorCode.InvalidArguments, 'ARG names can not be blank'],
      [ParseErrorCode.InvalidArguments, 'ARG names can not be blank'],
    ]);
    expect(errors.map((error) => error.range)).toEqual([node.args[0].range, node.args[2].range]);
  });
});
