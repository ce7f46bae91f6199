import { describe, expect, it } from 'vitest';
import { FlagError, ParseErrorCode } from '../../../src/parser/errors.js';
import { toInstruction } from '../../../src/parser/instructions/index.js';
import { context, fail, ok, summary, syntaxNode } from './helpers.js';

describe('RUN', () => {
  it('reads the shell form as one text', () => {
    const run = ok('RUN', { keyword: 'RUN', args: ['apt-get update && apt-get install -y curl'] });
    expect(run.command).toEqual({ form: 'shell', text: 'apt-get update && apt-get install -y curl' });
    expect(run).toMatchObject({ heredocs: [], mounts: [], devices: [], network: undefined, security: undefined });
  });

  it('reads the exec form as a vector', () => {
    expect(ok('RUN', { keyword: 'RUN', args: ['/bin/sh', '-c', 'echo hi'], json: true }).command).toEqual({
      form: 'exec',
      args: ['/bin/sh', '-c', 'echo hi'],
    });
  });

  it('accepts an empty command, as BuildKit does at this stage', () => {
    expect(ok('RUN', { keyword: 'RUN' }).command).toEqual({ form: 'shell', text: '' });
    expect(ok('RUN', { keyword: 'RUN', json: true, args: [] }).command).toEqual({ form: 'exec', args: [] });
  });

  it('keeps the node and range', () => {
    const node = syntaxNode({ keyword: 'run', args: ['x'] });
    const { instruction } = toInstruction(node, context);
    expect(instruction?.node).toBe(node);
    expect(instruction?.range).toEqual(node.range);
  });

  it('carries the heredocs raw', () => {
    const run = ok('RUN', {
      keyword: 'RUN',
      args: ['<<-EOF bash'],
      heredocs: [{ name: 'EOF', content: '\techo hi\n', chomp: true }],
    });
    expect(run.command).toEqual({ form: 'shell', text: '<<-EOF bash' });
    expect(run.heredocs).toHaveLength(1);
    expect(run.heredocs[0]).toMatchObject({ name: 'EOF', content: '\techo hi\n', chomp: true });
  });

  describe('--network', () => {
    it.each(['default', 'none', 'host'] as const)('accepts %s', (mode) => {
      expect(ok('RUN', { keyword: 'RUN', flags: [`--network=${mode}`], args: ['x'] }).network?.value).toBe(mode);
    });

    it('rejects other modes, and is single-use', () => {
      expect(summary(fail({ keyword: 'RUN', flags: ['--network=bridge'], args: ['x'] }))).toEqual([
        [ParseErrorCode.InvalidFlagValue, 'invalid network mode "bridge"'],
      ]);
      expect(summary(fail({ keyword: 'RUN', flags: ['--network='], args: ['x'] }))).toEqual([
        [ParseErrorCode.InvalidFlagValue, 'invalid network mode ""'],
      ]);
      expect(summary(fail({ keyword: 'RUN', flags: ['--network=none', '--network=host'], args: ['x'] }))).toEqual([
        [ParseErrorCode.DuplicateFlag, 'duplicate flag specified: --network'],
      ]);
      expect(summary(fail({ keyword: 'RUN', flags: ['--network'], args: ['x'] }))).toEqual([
        [ParseErrorCode.InvalidFlagValue, 'missing a value on flag: --network'],
      ]);
    });
  });

  describe('--security', () => {
    it.each(['insecure', 'sandbox'] as const)('accepts %s', (mode) => {
      expect(ok('RUN', { keyword: 'RUN', flags: [`--security=${mode}`], args: ['x'] }).security?.value).toBe(mode);
    });

    it('rejects other values', () => {
      const errors = fail({ keyword: 'RUN', flags: ['--security=privileged'], args: ['x'] });
      expect(summary(errors)).toEqual([[ParseErrorCode.InvalidFlagValue, 'security "privileged" is not valid']]);
      expect(errors[0]).toBeInstanceOf(FlagError);
    });
  });

  describe('--device', () => {
    it('reads names, CDI names and required, repeatable', () => {
      const run = ok('RUN', {
        keyword: 'RUN',
        flags: ['--device=/dev/fuse', '--device=vendor.com/gpu=all,required', '--device=name=nvidia.com/gpu=0,required=false'],
        args: ['x'],
      });
      expect(run.devices.map(({ name, required }) => ({ name, required }))).toEqual([
        { name: '/dev/fuse', required: false },
        { name: 'vendor.com/gpu=all', required: true },
        { name: 'nvidia.com/gpu=0', required: false },
      ]);
    });

    it('rejects bad device specs', () => {
      const cases: Array<[string, string]> = [
        ['a,b', "invalid field 'b' must be a key=value pair"],
        ['a,name=b', 'device name already set to a'],
        ['a,required=perhaps', 'invalid value for required: perhaps'],
        ['a,nmae=b', "unexpected key 'nmae' in 'nmae=b' (did you mean name?)"],
        ['', 'failed to parse csv devices: EOF'],
      ];
      for (const [value, message] of cases) {
        expect(summary(fail({ keyword: 'RUN', flags: [{ name: 'device', value }], args: ['x'] }))).toEqual([
          [ParseErrorCode.InvalidFlagValue, message],
        ]);
      }
    });
  });

  it('rejects unknown flags with a suggestion', () => {
    expect(summary(fail({ keyword: 'RUN', flags: ['--mout=type=cache,target=/c'], args: ['x'] }))).toEqual([
      [ParseErrorCode.UnknownFlag, 'unknown flag: --mout (did you mean mount?)'],
    ]);
  });

  it('collects flag errors across mount, network and device', () => {
    const errors = fail({
      keyword: 'RUN',
      flags: [{ name: 'mount', value: 'type=nope' }, '--network=x', { name: 'device', value: 'a,b' }],
      args: ['x'],
    });
    expect(errors.map((error) => error.detail)).toEqual([
      'unsupported mount type "nope"',
      'invalid network mode "x"',
      "invalid field 'b' must be a key=value pair",
    ]);
  });
});

describe('CMD and ENTRYPOINT', () => {
  it('read both forms', () => {
    expect(ok('CMD', { keyword: 'CMD', args: ['nginx', '-g', 'daemon off;'], json: true }).command).toEqual({
      form: 'exec',
      args: ['nginx', '-g', 'daemon off;'],
    });
    expect(ok('CMD', { keyword: 'cmd', args: ['echo $HOME'] }).command).toEqual({ form: 'shell', text: 'echo $HOME' });
    expect(ok('ENTRYPOINT', { keyword: 'ENTRYPOINT', args: ['/entrypoint.sh'], json: true }).command).toEqual({
      form: 'exec',
      args: ['/entrypoint.sh'],
    });
    expect(ok('ENTRYPOINT', { keyword: 'ENTRYPOINT', args: ['exec app'] }).command).toEqual({ form: 'shell', text: 'exec app' });
  });

  it('accept an empty exec vector (a reset)', () => {
    expect(ok('ENTRYPOINT', { keyword: 'ENTRYPOINT', args: [], json: true }).command).toEqual({ form: 'exec', args: [] });
    expect(ok('CMD', { keyword: 'CMD', args: [''], json: true }).command).toEqual({ form: 'exec', args: [''] });
  });

  it('take no flags', () => {
    expect(summary(fail({ keyword: 'ENTRYPOINT', flags: ['--x=1'], args: ['a'] }))).toEqual([
      [ParseErrorCode.UnknownFlag, 'unknown flag: --x'],
    ]);
  });
});
