import { describe, expect, it } from 'vitest';
import { BuildErrorCode, InstructionValueError } from '../../../src/builder/errors.js';
import { addEnv, applyInstructionToConfig, type ImageConfig } from '../../../src/builder/config/index.js';
import { expandInstruction, StageScope } from '../../../src/builder/plan/index.js';
import { plan, simulate } from '../plan/helpers.js';

const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function config(text: string, images: Record<string, ImageConfig> = {}): ImageConfig {
  return simulate(text, { images }).target.image;
}

function valueError(text: string): InstructionValueError {
  try {
    simulate(text);
  } catch (error) {
    if (error instanceof InstructionValueError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('ENV', () => {
  it('appends KEY=value entries in order and replaces an existing key in place', () => {
    const image = config('FROM base\nENV B=2 A=1\nENV PATH=/app:$PATH C="x y"\nENV B=3\n', {
      'docker.io/library/base:latest': { config: { Env: ['A=0', 'PATH=/bin'] }, history: [] },
    });
    expect(image.config.Env).toEqual(['A=1', 'PATH=/app:/bin', 'B=3', 'C=x y']);
  });

  it('addEnv replaces by exact key', () => {
    expect(addEnv(['A=1', 'a=2', 'NOVALUE'], 'A', '3')).toEqual(['A=3', 'a=2', 'NOVALUE']);
    expect(addEnv(['NOVALUE'], 'NOVALUE', 'x')).toEqual(['NOVALUE=x']);
    expect(addEnv(undefined, 'K', 'v')).toEqual(['K=v']);
  });
});

describe('LABEL and MAINTAINER', () => {
  it('merge labels into the inherited ones, the last value winning', () => {
    const image = config('FROM base\nLABEL a=1 "b c"="d e"\nLABEL a=2\n', {
      'docker.io/library/base:latest': { config: { Labels: { inherited: 'yes', a: '0' } }, history: [] },
    });
    expect(image.config.Labels).toEqual({ inherited: 'yes', a: '2', 'b c': 'd e' });
  });

  it('sets the author from MAINTAINER, unexpanded', () => {
    expect(config('FROM alpine\nMAINTAINER Jane <jane@example.com> $X\n').author).toBe('Jane <jane@example.com> $X');
  });
});

describe('CMD and ENTRYPOINT', () => {
  const withCmd = { 'docker.io/library/base:latest': { config: { Cmd: ['base-cmd'], Entrypoint: ['base-entry'] }, history: [] } };

  it('wrap the shell form in the default shell and keep the exec form', () => {
    const image = config('FROM alpine\nCMD echo "hi there"\nENTRYPOINT ["/entry", "$X"]\n');
    expect(image.config.Entrypoint).toEqual(['/entry', '$X']);
    expect(image.config.Cmd).toEqual(['/bin/sh', '-c', 'echo "hi there"']);
    expect(image.config.ArgsEscaped).toBe(true);
  });

  it('use the stage\'s SHELL for the shell form', () => {
    const image = config('FROM alpine\nSHELL ["/bin/bash", "-euo", "pipefail", "-c"]\nCMD make test\n');
    expect(image.config.Shell).toEqual(['/bin/bash', '-euo', 'pipefail', '-c']);
    expect(image.config.Cmd).toEqual(['/bin/bash', '-euo', 'pipefail', '-c', 'make test']);
  });

  it('ENTRYPOINT resets a CMD inherited from the base', () => {
    const image = config('FROM base\nENTRYPOINT ["/new"]\n', withCmd);
    expect(image.config.Entrypoint).toEqual(['/new']);
    expect(image.config.Cmd).toBeUndefined();
  });

  it('ENTRYPOINT keeps a CMD set earlier in the same stage, and CMD after ENTRYPOINT stays', () => {
    expect(config('FROM base\nCMD ["a"]\nENTRYPOINT ["/new"]\n', withCmd).config.Cmd).toEqual(['a']);
    expect(config('FROM base\nENTRYPOINT ["/new"]\nCMD ["b"]\n', withCmd).config).toMatchObject({ Entrypoint: ['/new'], Cmd: ['b'] });
  });

  it('ENTRYPOINT resets a CMD set in a parent stage: the rule is per stage', () => {
    expect(config('FROM alpine AS parent\nCMD ["a"]\nFROM parent\nENTRYPOINT ["/e"]\n').config.Cmd).toBeUndefined();
  });

  it('an empty exec form removes the value', () => {
    const image = config('FROM base\nENTRYPOINT []\n', withCmd);
    expect(image.config.Entrypoint).toBeUndefined();
    expect(image.config.Cmd).toBeUndefined();
    expect(config('FROM base\nCMD []\n', withCmd).config.Cmd).toBeUndefined();
  });
});

describe('USER, WORKDIR, VOLUME, STOPSIGNAL', () => {
  it('set the user', () => {
    expect(config('FROM alpine\nARG UID=1000\nUSER $UID:$UID\n').config.User).toBe('1000:1000');
  });

  it('resolve a relative WORKDIR against the previous one', () => {
    expect(config('FROM alpine\nWORKDIR app\nWORKDIR ../srv/./x\n').config.WorkingDir).toBe('/srv/x');
    expect(config('FROM alpine\nWORKDIR /app/\n').config.WorkingDir).toBe('/app/');
    expect(config('FROM base\nWORKDIR sub\n', { 'docker.io/library/base:latest': { config: { WorkingDir: '/opt' }, history: [] } }).config.WorkingDir).toBe(
      '/opt/sub',
    );
  });

  it('collect volumes', () => {
    expect(config('FROM alpine\nVOLUME /a /b\nVOLUME ["/c"]\n').config.Volumes).toEqual({ '/a': {}, '/b': {}, '/c': {} });
  });

  it('refuse a volume that expands to nothing', () => {
    const error = valueError('FROM alpine\nVOLUME $EMPTY\n');
    expect(error.code).toBe(BuildErrorCode.InvalidVolume);
    expect(error.message).toBe('Dockerfile:2:1: VOLUME specified can not be an empty string. A variable in VOLUME expanded to nothing; give it a value');
  });

  it('keep a valid stop signal as written and refuse an unknown one', () => {
    expect(config('FROM alpine\nSTOPSIGNAL sigquit\n').config.StopSignal).toBe('sigquit');
    expect(config('FROM alpine\nSTOPSIGNAL 9\n').config.StopSignal).toBe('9');
    const error = valueError('FROM alpine\nSTOPSIGNAL SIGNOPE\n');
    expect(error.code).toBe(BuildErrorCode.InvalidStopSignal);
    expect(error.detail).toBe('invalid signal: SIGNOPE');
  });
});

describe('EXPOSE', () => {
  it('adds ports with /tcp by default, ranges expanded, protocols lower-cased', () => {
    const image = config('FROM base\nARG P=8080\nEXPOSE $P 53/UDP 7000-7002/tcp\n', {
      'docker.io/library/base:latest': { config: { ExposedPorts: { '22/tcp': {} } }, history: [] },
    });
    // BuildKit sorts the specs as written: "$P" sorts before "53/UDP".
    expect(Object.keys(image.config.ExposedPorts ?? {})).toEqual(['22/tcp', '8080/tcp', '53/udp', '7000/tcp', '7001/tcp', '7002/tcp']);
  });

  it('refuses invalid port specs', () => {
    const error = valueError('FROM alpine\nEXPOSE 80/http\n');
    expect(error.code).toBe(BuildErrorCode.InvalidPort);
    expect(error.message).toBe('Dockerfile:2:1: invalid proto: http. Write ports as PORT[/PROTO] or START-END[/PROTO], with tcp, udp or sctp');
  });
});

describe('HEALTHCHECK', () => {
  it('stores Docker\'s Healthcheck object with durations in nanoseconds', () => {
    const image = config(
      'FROM alpine\nHEALTHCHECK --interval=1m30s --timeout=5s --start-period=500ms --start-interval=2s --retries=3 CMD curl -f http://localhost/ || exit 1\n',
    );
    expect(image.config.Healthcheck).toEqual({
      Test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'],
      Interval: 90_000_000_000,
      Timeout: 5_000_000_000,
      StartPeriod: 500_000_000,
      StartInterval: 2_000_000_000,
      Retries: 3,
    });
  });

  it('keeps the exec form and NONE, omitting zero values', () => {
    expect(config('FROM alpine\nHEALTHCHECK CMD ["/check", "--fast"]\n').config.Healthcheck).toEqual({ Test: ['CMD', '/check', '--fast'] });
    expect(config('FROM alpine\nHEALTHCHECK --interval=30s CMD x\nHEALTHCHECK NONE\n').config.Healthcheck).toEqual({ Test: ['NONE'] });
  });
});

describe('ONBUILD', () => {
  it('appends the trigger text as written after ONBUILD (keyword case kept, as BuildKit), with heredoc bodies', () => {
    const image = config('FROM alpine\nONBUILD run echo \\\n  hi\nONBUILD COPY <<EOF /motd\nhello\nEOF\n');
    expect(image.config.OnBuild).toEqual(['run echo   hi', 'COPY <<EOF /motd\nhello\nEOF']);
  });
});

describe('applyInstructionToConfig', () => {
  it('does not change its input and reports errors at the given location', () => {
    const built = plan('FROM alpine\nEXPOSE 99999\n');
    const scope = StageScope.start(built.variables);
    const { expanded } = expandInstruction(built.stages[0].steps[0], scope);
    const image: ImageConfig = { config: {}, history: [] };
    expect(() =>
      applyInstructionToConfig(image, expanded, { cmdSet: false }, { file: 'other/Dockerfile', location: built.stages[0].from.range }),
    ).toThrow(/^other\/Dockerfile:1:1: invalid containerPort: 99999/);
    const user = expandInstruction(plan('FROM alpine\nUSER me\n').stages[0].steps[0], scope).expanded;
    const result = applyInstructionToConfig(image, user);
    expect(image).toEqual({ config: {}, history: [] });
    expect(result.image.config.User).toBe('me');
    expect(result.stage).toEqual({ cmdSet: false });
  });

  it('starts from scratch with working directory / and a default PATH', () => {
    expect(config('FROM scratch\nUSER 1\n').config).toEqual({ Env: [PATH], WorkingDir: '/', User: '1' });
  });
});
