import { describe, expect, it } from 'vitest';
import { ParseErrorCode } from '../../../src/parser/errors.js';
import { toInstruction } from '../../../src/parser/instructions/index.js';
import { context, fail, ok, summary, syntaxNode } from './helpers.js';

const second = 1_000_000_000;

describe('HEALTHCHECK', () => {
  it('reads NONE in any case', () => {
    expect(ok('HEALTHCHECK', { keyword: 'HEALTHCHECK', args: ['NONE'] }).healthcheck).toEqual({ type: 'NONE' });
    expect(ok('HEALTHCHECK', { keyword: 'healthcheck', args: ['none'] }).healthcheck).toEqual({ type: 'NONE' });
  });

  it('rejects arguments after NONE', () => {
    expect(summary(fail({ keyword: 'HEALTHCHECK', args: ['NONE', 'extra'] }))).toEqual([
      [ParseErrorCode.InvalidArguments, 'HEALTHCHECK NONE takes no arguments'],
    ]);
  });

  it('ignores flags on NONE, as BuildKit does', () => {
    expect(ok('HEALTHCHECK', { keyword: 'HEALTHCHECK', flags: ['--interval=5s', '--whatever'], args: ['NONE'] }).healthcheck).toEqual({
      type: 'NONE',
    });
  });

  it('reads CMD in shell and exec form, with no flags', () => {
    expect(ok('HEALTHCHECK', { keyword: 'HEALTHCHECK', args: ['CMD', 'curl -f http://localhost/ || exit 1'] }).healthcheck).toEqual({
      type: 'CMD',
      command: { form: 'shell', text: 'curl -f http://localhost/ || exit 1' },
      interval: undefined,
      timeout: undefined,
      startPeriod: undefined,
      startInterval: undefined,
      retries: undefined,
    });
    const exec = ok('HEALTHCHECK', { keyword: 'HEALTHCHECK', args: ['cmd', '/check', '--quiet'], json: true }).healthcheck;
    expect(exec.type === 'CMD' && exec.command).toEqual({ form: 'exec', args: ['/check', '--quiet'] });
  });

  it('reads every flag', () => {
    const node = syntaxNode({
      keyword: 'HEALTHCHECK',
      flags: ['--interval=1m30s', '--timeout=500ms', '--start-period=0', '--start-interval=2s', '--retries=3'],
      args: ['CMD', 'true'],
    });
    const { instruction, errors } = toInstruction(node, context);
    expect(errors).toEqual([]);
    expect(instruction?.kind === 'HEALTHCHECK' && instruction.healthcheck).toEqual({
      type: 'CMD',
      command: { form: 'shell', text: 'true' },
      interval: { text: '1m30s', nanoseconds: 90 * second, range: node.flags[0].range },
      timeout: { text: '500ms', nanoseconds: second / 2, range: node.flags[1].range },
      startPeriod: { text: '0', nanoseconds: 0, range: node.flags[2].range },
      startInterval: { text: '2s', nanoseconds: 2 * second, range: node.flags[3].range },
      retries: { value: 3, range: node.flags[4].range },
    });
  });

  it('accepts Go durations', () => {
    const interval = (text: string): number | undefined => {
      const check = ok('HEALTHCHECK', { keyword: 'HEALTHCHECK', flags: [`--interval=${text}`], args: ['CMD', 'x'] }).healthcheck;
      return check.type === 'CMD' ? check.interval?.nanoseconds : undefined;
    };
    expect(interval('1h')).toBe(3600 * second);
    expect(interval('1.5s')).toBe(1.5 * second);
    expect(interval('.5s')).toBe(second / 2);
    expect(interval('2h45m')).toBe((2 * 3600 + 45 * 60) * second);
    expect(interval('1ms')).toBe(1_000_000);
    expect(interval('1000us')).toBe(1_000_000);
    expect(interval('1000µs')).toBe(1_000_000);
    expect(interval('+5s')).toBe(5 * second);
    expect(interval('0s')).toBe(0);
    expect(interval('')).toBeUndefined();
  });

  it('rejects durations below 1ms, negative ones and bad syntax', () => {
    const cases: Array<[string, string]> = [
      ['--interval=500us', 'Interval "interval" cannot be less than 1ms'],
      ['--timeout=-1s', 'Interval "timeout" cannot be less than 1ms'],
      ['--start-period=50ns', 'Interval "start-period" cannot be less than 1ms'],
      ['--start-interval=1', 'time: missing unit in duration "1"'],
      ['--interval=5 s', 'time: unknown unit " s" in duration "5 s"'],
      ['--interval=5x', 'time: unknown unit "x" in duration "5x"'],
      ['--interval=abc', 'time: invalid duration "abc"'],
      ['--interval=.s', 'time: invalid duration ".s"'],
      ['--interval=-', 'time: invalid duration "-"'],
      ['--interval=3000000h', 'time: invalid duration "3000000h"'],
    ];
    for (const [flag, message] of cases) {
      expect(summary(fail({ keyword: 'HEALTHCHECK', flags: [flag], args: ['CMD', 'x'] }))).toEqual([
        [ParseErrorCode.InvalidFlagValue, message],
      ]);
    }
  });

  it('reads retries as a 32-bit integer that is not negative', () => {
    const retries = (value: string): number | undefined => {
      const check = ok('HEALTHCHECK', { keyword: 'HEALTHCHECK', flags: [`--retries=${value}`], args: ['CMD', 'x'] }).healthcheck;
      return check.type === 'CMD' ? check.retries?.value : undefined;
    };
    expect(retries('0')).toBe(0);
    expect(retries('+7')).toBe(7);
    expect(retries('2147483647')).toBe(2147483647);
    const cases: Array<[string, string]> = [
      ['-1', '--retries cannot be negative (-1)'],
      ['three', 'strconv.ParseInt: parsing "three": invalid syntax'],
      ['1.5', 'strconv.ParseInt: parsing "1.5": invalid syntax'],
      ['2147483648', 'strconv.ParseInt: parsing "2147483648": value out of range'],
    ];
    for (const [value, message] of cases) {
      expect(summary(fail({ keyword: 'HEALTHCHECK', flags: [`--retries=${value}`], args: ['CMD', 'x'] }))).toEqual([
        [ParseErrorCode.InvalidFlagValue, message],
      ]);
    }
  });

  it('checks the flags of CMD', () => {
    expect(summary(fail({ keyword: 'HEALTHCHECK', flags: ['--intervl=5s'], args: ['CMD', 'x'] }))).toEqual([
      [ParseErrorCode.UnknownFlag, 'unknown flag: --intervl (did you mean interval?)'],
    ]);
    expect(summary(fail({ keyword: 'HEALTHCHECK', flags: ['--retries=1', '--retries=2'], args: ['CMD', 'x'] }))).toEqual([
      [ParseErrorCode.DuplicateFlag, 'duplicate flag specified: --retries'],
    ]);
    expect(summary(fail({ keyword: 'HEALTHCHECK', flags: ['--timeout'], args: ['CMD', 'x'] }))).toEqual([
      [ParseErrorCode.InvalidFlagValue, 'missing a value on flag: --timeout'],
    ]);
  });

  it('needs a type and a command', () => {
    expect(summary(fail({ keyword: 'HEALTHCHECK' }))).toEqual([
      [ParseErrorCode.MissingArguments, 'HEALTHCHECK requires at least one argument'],
    ]);
    expect(summary(fail({ keyword: 'HEALTHCHECK', args: ['CMD'] }))).toEqual([
      [ParseErrorCode.MissingArguments, 'Missing command after HEALTHCHECK CMD'],
    ]);
    expect(summary(fail({ keyword: 'HEALTHCHECK', args: ['CMD'], json: true }))).toEqual([
      [ParseErrorCode.MissingArguments, 'Missing command after HEALTHCHECK CMD'],
    ]);
  });

  it('rejects an unknown type at the type word', () => {
    const node = syntaxNode({ keyword: 'HEALTHCHECK', args: ['CONNECT', 'localhost:80'] });
    const { errors } = toInstruction(node, context);
    expect(summary(errors)).toEqual([[ParseErrorCode.InvalidArguments, 'Unknown type "CONNECT" in HEALTHCHECK (try CMD)']]);
    expect(errors[0].range).toEqual(node.args[0].range);
  });
});
