import { describe, expect, it } from 'vitest';
import { FlagError, ParseError, ParseErrorCode } from '../../../src/parser/errors.js';
import { toInstruction } from '../../../src/parser/instructions/index.js';
import { context, fail, ok, summary, syntaxNode } from './helpers.js';

describe('flag checking', () => {
  it('reports an unknown flag with its range, file and a suggestion', () => {
    const node = syntaxNode({ keyword: 'COPY', flags: ['--form=build'], args: ['a', 'b'] });
    const { instruction, errors } = toInstruction(node, context);
    expect(instruction).toBeUndefined();
    expect(errors).toHaveLength(1);
    const [error] = errors;
    expect(error).toBeInstanceOf(FlagError);
    expect(error).toBeInstanceOf(ParseError);
    expect(error.code).toBe(ParseErrorCode.UnknownFlag);
    expect(error.detail).toBe('unknown flag: --form (did you mean from?)');
    expect(error.range).toEqual(node.flags[0].range);
    expect(error.file).toBe('Dockerfile');
    expect(error.message).toBe('Dockerfile:1:6: unknown flag: --form (did you mean from?)');
  });

  it('gives no suggestion when nothing is close', () => {
    expect(summary(fail({ keyword: 'COPY', flags: ['--zzzzzz=1'], args: ['a', 'b'] }))).toEqual([
      [ParseErrorCode.UnknownFlag, 'unknown flag: --zzzzzz'],
    ]);
  });

  it('extracts flags for every instruction: CMD --doit is an unknown flag', () => {
    expect(summary(fail({ keyword: 'CMD', flags: ['--doit'], args: ['a', 'b'], json: true }))).toEqual([
      [ParseErrorCode.UnknownFlag, 'unknown flag: --doit'],
    ]);
  });

  it.each(['ENV', 'LABEL', 'ARG', 'MAINTAINER', 'USER', 'WORKDIR', 'EXPOSE', 'VOLUME', 'SHELL', 'ENTRYPOINT', 'ONBUILD'])(
    '%s takes no flags',
    (keyword) => {
      const spec =
        keyword === 'ENV' || keyword === 'LABEL'
          ? { keyword, flags: ['--boo'], pairs: [['a', 'b']] as Array<[string, string]> }
          : keyword === 'ONBUILD'
            ? { keyword, flags: ['--boo'], child: { keyword: 'RUN', args: ['true'] } }
            : { keyword, flags: ['--boo'], args: ['x'], json: keyword === 'SHELL' };
      const errors = fail(spec);
      expect(summary(errors)).toEqual([[ParseErrorCode.UnknownFlag, 'unknown flag: --boo']]);
    },
  );

  it('is case-sensitive about flag names', () => {
    expect(summary(fail({ keyword: 'COPY', flags: ['--FROM=a'], args: ['a', 'b'] }))).toEqual([
      [ParseErrorCode.UnknownFlag, 'unknown flag: --FROM'],
    ]);
  });

  it('reports a repeated single-use flag at the repetition', () => {
    const node = syntaxNode({ keyword: 'COPY', flags: ['--from=a', '--from=b'], args: ['x', 'y'] });
    const { errors } = toInstruction(node, context);
    expect(summary(errors)).toEqual([[ParseErrorCode.DuplicateFlag, 'duplicate flag specified: --from']]);
    expect(errors[0]).toBeInstanceOf(FlagError);
    expect(errors[0].range).toEqual(node.flags[1].range);
  });

  it('reports a repeated boolean flag', () => {
    expect(summary(fail({ keyword: 'COPY', flags: ['--link', '--link=false'], args: ['x', 'y'] }))).toEqual([
      [ParseErrorCode.DuplicateFlag, 'duplicate flag specified: --link'],
    ]);
  });

  it('accepts repeatable flags many times, in order', () => {
    const copy = ok('COPY', { keyword: 'COPY', flags: ['--exclude=*.md', '--exclude=tmp/'], args: ['.', '/app'] });
    expect(copy.exclude.map((flag) => flag.value)).toEqual(['*.md', 'tmp/']);
  });

  it('reads booleans: bare, true/false in any case', () => {
    expect(ok('COPY', { keyword: 'COPY', flags: ['--link'], args: ['a', 'b'] }).link).toBe(true);
    expect(ok('COPY', { keyword: 'COPY', flags: ['--link=TRUE'], args: ['a', 'b'] }).link).toBe(true);
    expect(ok('COPY', { keyword: 'COPY', flags: ['--link=False'], args: ['a', 'b'] }).link).toBe(false);
    expect(ok('COPY', { keyword: 'COPY', args: ['a', 'b'] }).link).toBe(false);
  });

  it('rejects a non-boolean value for a boolean flag', () => {
    expect(summary(fail({ keyword: 'COPY', flags: ['--link=yes'], args: ['a', 'b'] }))).toEqual([
      [ParseErrorCode.InvalidFlagValue, 'expecting boolean value for flag --link, not: yes'],
    ]);
    expect(summary(fail({ keyword: 'COPY', flags: ['--link=1'], args: ['a', 'b'] }))).toEqual([
      [ParseErrorCode.InvalidFlagValue, 'expecting boolean value for flag --link, not: 1'],
    ]);
  });

  it('rejects a boolean flag with an empty value', () => {
    expect(summary(fail({ keyword: 'COPY', flags: ['--link='], args: ['a', 'b'] }))).toEqual([
      [ParseErrorCode.InvalidFlagValue, 'missing a value on flag: --link'],
    ]);
  });

  it('rejects a valued flag without a value', () => {
    expect(summary(fail({ keyword: 'COPY', flags: ['--from'], args: ['a', 'b'] }))).toEqual([
      [ParseErrorCode.InvalidFlagValue, 'missing a value on flag: --from'],
    ]);
    expect(summary(fail({ keyword: 'COPY', flags: ['--exclude'], args: ['a', 'b'] }))).toEqual([
      [ParseErrorCode.InvalidFlagValue, 'missing a value on flag: --exclude'],
    ]);
  });

  it('accepts an empty value for a valued flag', () => {
    expect(ok('COPY', { keyword: 'COPY', flags: ['--from='], args: ['a', 'b'] }).from?.value).toBe('');
  });

  it('keeps non-ASCII values intact', () => {
    const copy = ok('COPY', { keyword: 'COPY', flags: ['--chown=üser:grüppe', '--from=ñame'], args: ['a', 'b'] });
    expect(copy.chown?.value).toBe('üser:grüppe');
    expect(copy.from?.value).toBe('ñame');
  });

  it('keeps the range of each flag value', () => {
    const node = syntaxNode({ keyword: 'COPY', flags: ['--chmod=755'], args: ['a', 'b'] });
    const { instruction } = toInstruction(node, context);
    expect(instruction?.kind === 'COPY' && instruction.chmod).toEqual({ value: '755', range: node.flags[0].range });
  });

  it('collects every flag problem of a node, together with argument problems', () => {
    const errors = fail({ keyword: 'COPY', flags: ['--nope', '--from=a', '--from=b', '--link=maybe'], args: ['only'] });
    expect(summary(errors)).toEqual([
      [
        ParseErrorCode.MissingArguments,
        'COPY requires at least two arguments, but only one was provided. Destination could not be determined',
      ],
      [ParseErrorCode.UnknownFlag, 'unknown flag: --nope'],
      [ParseErrorCode.DuplicateFlag, 'duplicate flag specified: --from'],
      [ParseErrorCode.InvalidFlagValue, 'expecting boolean value for flag --link, not: maybe'],
    ]);
  });

  it('stops at a bare -- if the syntax layer left one', () => {
    const node = syntaxNode({ keyword: 'COPY', flags: ['--link', { name: '', value: undefined }, '--bogus'], args: ['a', 'b'] });
    const { instruction, errors } = toInstruction(node, context);
    expect(errors).toEqual([]);
    expect(instruction?.kind).toBe('COPY');
  });
});
