import { describe, expect, it } from 'vitest';
import { ParseErrorCode } from '../../../src/parser/errors.js';
import { toInstruction } from '../../../src/parser/instructions/index.js';
import { context, fail, ok, summary, syntaxNode } from './helpers.js';

describe('MAINTAINER, USER, WORKDIR, STOPSIGNAL', () => {
  it('read their one value as written', () => {
    expect(ok('MAINTAINER', { keyword: 'MAINTAINER', args: ['Jane Doe <jane@example.com>'] }).maintainer.value).toBe('Jane Doe <jane@example.com>');
    expect(ok('USER', { keyword: 'USER', args: ['${APP_UID}:app'] }).user.value).toBe('${APP_UID}:app');
    expect(ok('WORKDIR', { keyword: 'WORKDIR', args: ['/src/$PROJECT'] }).path.value).toBe('/src/$PROJECT');
    expect(ok('STOPSIGNAL', { keyword: 'STOPSIGNAL', args: ['SIGQUIT'] }).signal.value).toBe('SIGQUIT');
  });

  it('keep the argument range', () => {
    const node = syntaxNode({ keyword: 'USER', args: ['root'] });
    const { instruction } = toInstruction(node, context);
    expect(instruction?.kind === 'USER' && instruction.user.range).toEqual(node.args[0].range);
  });

  it.each(['MAINTAINER', 'USER', 'WORKDIR', 'STOPSIGNAL'])('%s needs exactly one argument', (keyword) => {
    expect(summary(fail({ keyword }))).toEqual([[ParseErrorCode.MissingArguments, `${keyword} requires exactly one argument`]]);
    const node = syntaxNode({ keyword, args: ['a', 'b', 'c'] });
    const { errors } = toInstruction(node, context);
    expect(summary(errors)).toEqual([[ParseErrorCode.InvalidArguments, `${keyword} requires exactly one argument`]]);
    expect(errors[0].range).toEqual({ start: node.args[1].range.start, end: node.args[2].range.end });
  });

  it('MAINTAINER, USER and WORKDIR take no flags', () => {
    expect(summary(fail({ keyword: 'MAINTAINER', flags: ['--boo'], args: ['joe@example.com'] }))).toEqual([
      [ParseErrorCode.UnknownFlag, 'unknown flag: --boo'],
    ]);
  });

  it('STOPSIGNAL does not read flags, as BuildKit', () => {
    expect(ok('STOPSIGNAL', { keyword: 'STOPSIGNAL', flags: ['--boo'], args: ['9'] }).signal.value).toBe('9');
  });
});

describe('EXPOSE', () => {
  it('reads ports in source order', () => {
    const node = syntaxNode({ keyword: 'EXPOSE', args: ['8080', '53/udp', '$PORT', '7000-7010/tcp'] });
    const { instruction } = toInstruction(node, context);
    expect(instruction?.kind === 'EXPOSE' && instruction.ports).toEqual(node.args.map((arg) => ({ value: arg.value, range: arg.range })));
  });

  it('needs at least one port', () => {
    expect(summary(fail({ keyword: 'EXPOSE' }))).toEqual([[ParseErrorCode.MissingArguments, 'EXPOSE requires at least one argument']]);
  });
});

describe('VOLUME', () => {
  it('reads words or JSON strings, trimmed', () => {
    expect(ok('VOLUME', { keyword: 'VOLUME', args: ['/data', '/logs'] }).volumes.map((v) => v.value)).toEqual(['/data', '/logs']);
    expect(ok('VOLUME', { keyword: 'VOLUME', args: [' /var/lib/x ', '/y'], json: true }).volumes.map((v) => v.value)).toEqual([
      '/var/lib/x',
      '/y',
    ]);
  });

  it('needs a path, and no empty one', () => {
    expect(summary(fail({ keyword: 'VOLUME' }))).toEqual([[ParseErrorCode.MissingArguments, 'VOLUME requires at least one argument']]);
    expect(summary(fail({ keyword: 'VOLUME', args: [], json: true }))).toEqual([
      [ParseErrorCode.MissingArguments, 'VOLUME requires at least one argument'],
    ]);
    const node = syntaxNode({ keyword: 'VOLUME', args: ['/a', '  '], json: true });
    const { errors } = toInstruction(node, context);
    expect(summary(errors)).toEqual([[ParseErrorCode.InvalidArguments, 'VOLUME specified can not be an empty string']]);
    expect(errors[0].range).toEqual(node.args[1].range);
  });
});

describe('SHELL', () => {
  it('reads the JSON form', () => {
    expect(ok('SHELL', { keyword: 'SHELL', args: ['powershell', '-command'], json: true }).shell).toEqual(['powershell', '-command']);
  });

  it('refuses the shell form', () => {
    expect(summary(fail({ keyword: 'SHELL', args: ['/bin/bash -c'] }))).toEqual([
      [ParseErrorCode.InvalidArguments, 'SHELL requires the arguments to be in JSON form'],
    ]);
  });

  it('refuses an empty shell', () => {
    expect(summary(fail({ keyword: 'SHELL', args: [], json: true }))).toEqual([
      [ParseErrorCode.MissingArguments, 'SHELL requires at least one argument'],
    ]);
    expect(summary(fail({ keyword: 'SHELL' }))).toEqual([[ParseErrorCode.MissingArguments, 'SHELL requires at least one argument']]);
  });
});
