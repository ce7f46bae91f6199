import { describe, expect, it } from 'vitest';
import { StageScope, splitEnvEntry, type ExpandedOf } from '../../../src/builder/plan/index.js';
import { plan, simulate, type StageRun } from './helpers.js';

function runs(stage: StageRun): Array<ExpandedOf<'RUN'>> {
  return stage.results.map((result) => result.expanded).filter((expanded): expanded is ExpandedOf<'RUN'> => expanded.kind === 'RUN');
}

function workdirs(stage: StageRun): string[] {
  return stage.results.flatMap((result) => (result.expanded.kind === 'WORKDIR' ? [result.expanded.path] : []));
}

describe('ARG scope in a stage', () => {
  it('hides global ARGs until redeclared without a value', () => {
    const { target } = simulate('ARG VERSION=1.2\nFROM alpine\nWORKDIR /v$VERSION\nARG VERSION\nWORKDIR /v$VERSION\n');
    expect(workdirs(target)).toEqual(['/v', '/v1.2']);
  });

  it('uses the stage default when redeclared with one, and the build argument over both', () => {
    expect(workdirs(simulate('ARG V=global\nFROM alpine\nARG V=local\nWORKDIR /$V\n').target)).toEqual(['/local']);
    expect(workdirs(simulate('ARG V=global\nFROM alpine\nARG V=local\nWORKDIR /$V\n', { buildArgs: { V: 'cli' } }).target)).toEqual(['/cli']);
    expect(workdirs(simulate('FROM alpine\nARG V\nWORKDIR /$V\n', { buildArgs: { V: 'cli' } }).target)).toEqual(['/cli']);
  });

  it('leaves an ARG without any value unset', () => {
    const { target } = simulate('FROM alpine\nARG V\nWORKDIR /${V-unset}\nRUN true\n');
    expect(workdirs(target)).toEqual(['/unset']);
    expect(runs(target)[0].environment).not.toContain('V=');
    expect(runs(target)[0].args).toEqual([{ name: 'V', value: '' }]);
  });

  it('expands defaults with what the stage has so far, including earlier ARGs of the same line', () => {
    const { target } = simulate('FROM alpine\nENV BASE=/opt\nARG A=$BASE/a B=$A/b\nWORKDIR $B\n');
    expect(workdirs(target)).toEqual(['/opt/a/b']);
  });

  it('removes quotes from defaults but takes build argument values literally', () => {
    const { target } = simulate('FROM alpine\nARG A="a b" B=\'$HOME\' C\nRUN true\n', { buildArgs: { C: '${A} "q"' } });
    expect(target.results[0].scope.declaredArgs()).toEqual([
      { name: 'A', value: 'a b' },
      { name: 'B', value: '$HOME' },
      { name: 'C', value: '${A} "q"' },
    ]);
  });

  it('is per stage: a new FROM starts without the previous stage\'s ARGs', () => {
    const { stages } = simulate('FROM alpine AS one\nARG V=1\nFROM alpine AS two\nWORKDIR /${V:-none}\n', { target: 'two' });
    expect(workdirs(stages.get(1) as StageRun)).toEqual(['/none']);
  });

  it('is inherited by a stage built FROM that stage', () => {
    const { target } = simulate('FROM alpine AS base\nARG V=1\nENV E=2\nFROM base\nWORKDIR /$V/$E\nRUN true\n');
    expect(workdirs(target)).toEqual(['/1/2']);
    expect(runs(target)[0].args).toEqual([{ name: 'V', value: '1' }]);
  });
});

describe('automatic platform ARGs in a stage', () => {
  it('are only visible after ARG NAME', () => {
    const { target } = simulate('FROM alpine\nWORKDIR /${TARGETARCH:-none}\nARG TARGETARCH TARGETPLATFORM\nWORKDIR /$TARGETARCH\nRUN true\n', {
      platform: 'linux/arm64',
    });
    expect(workdirs(target)).toEqual(['/none', '/arm64']);
    expect(runs(target)[0].environment).toEqual(expect.arrayContaining(['TARGETARCH=arm64', 'TARGETPLATFORM=linux/arm64']));
    expect(target.history.map((entry) => entry.created_by)).toContain('ARG TARGETARCH=arm64 TARGETPLATFORM=linux/arm64');
  });

  it('give the global value, not the stage\'s FROM --platform', () => {
    const { target } = simulate('FROM --platform=$BUILDPLATFORM alpine\nARG TARGETOS BUILDARCH\nWORKDIR /$TARGETOS/$BUILDARCH\n', {
      platform: 'windows/amd64',
      buildPlatform: 'linux/arm64',
    });
    expect(workdirs(target)).toEqual(['/windows/arm64']);
  });
});

describe('ENV and ARG of the same name', () => {
  it('ENV after ARG wins', () => {
    const { target } = simulate('FROM alpine\nARG V=arg\nENV V=env\nWORKDIR /$V\nRUN true\n');
    expect(workdirs(target)).toEqual(['/env']);
    expect(runs(target)[0].args).toEqual([{ name: 'V', value: 'env' }]);
  });

  it('ARG after ENV wins too: BuildKit keeps one ordered environment', () => {
    const { target } = simulate('FROM alpine\nENV V=env\nARG V=arg\nWORKDIR /$V\nRUN true\n');
    expect(workdirs(target)).toEqual(['/arg']);
    expect(target.image.config.Env).toContain('V=env');
  });

  it('an ARG with a value overrides the base image\'s ENV; one without keeps it', () => {
    const images = { 'docker.io/library/base:latest': { config: { Env: ['PATH=/bin', 'MODE=image'] }, history: [] } };
    expect(workdirs(simulate('FROM base\nARG MODE=arg\nWORKDIR /$MODE\n', { images }).target)).toEqual(['/arg']);
    const kept = simulate('FROM base\nARG MODE\nWORKDIR /$MODE\nRUN true\n', { images }).target;
    expect(workdirs(kept)).toEqual(['/image']);
    expect(runs(kept)[0].args).toEqual([{ name: 'MODE', value: 'image' }]);
  });
});

describe('proxy build arguments', () => {
  it('reach RUN without ARG, outside its environment and history', () => {
    const { target, plan: built } = simulate('FROM alpine\nRUN apk add curl\n', { buildArgs: { HTTP_PROXY: 'http://proxy:3128', no_proxy: 'localhost' } });
    const [run] = runs(target);
    expect(run.environment).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    expect(run.proxyEnvironment).toEqual(['HTTP_PROXY=http://proxy:3128', 'http_proxy=http://proxy:3128', 'NO_PROXY=localhost', 'no_proxy=localhost']);
    expect(target.history[0].created_by).toBe('RUN /bin/sh -c apk add curl # buildkit');
    expect(target.results[0].cacheArgs).toEqual([]);
    expect(built.unusedBuildArgs).toEqual([]);
  });

  it('become ordinary ARGs once declared', () => {
    const { target } = simulate('FROM alpine\nARG HTTP_PROXY\nRUN apk add curl\n', { buildArgs: { HTTP_PROXY: 'http://p' } });
    const [run] = runs(target);
    expect(run.environment).toContain('HTTP_PROXY=http://p');
    expect(run.proxyEnvironment).toEqual(['http_proxy=http://p']);
    expect(target.history[1].created_by).toBe('RUN |1 HTTP_PROXY=http://p /bin/sh -c apk add curl # buildkit');
  });

  it('prefer the lower-case spelling when both are given (BuildKit reads them sorted)', () => {
    const { target } = simulate('FROM alpine\nRUN true\n', { buildArgs: { https_proxy: 'lower', HTTPS_PROXY: 'upper' } });
    expect(runs(target)[0].proxyEnvironment).toEqual(['HTTPS_PROXY=lower', 'https_proxy=lower']);
  });
});

describe('StageScope', () => {
  const context = plan('FROM alpine\n').variables;

  it('starts from a config Env, moving a re-set variable to the end', () => {
    const scope = StageScope.start(context, { env: ['A=1', 'B=2', 'NOVALUE'] }).withEnv([{ key: 'A', value: '3' }]);
    expect(scope.environment()).toEqual(['B=2', 'NOVALUE=', 'A=3']);
    expect(scope.get('A')).toBe('3');
    expect(scope.get('C')).toBeUndefined();
  });

  it('sets the config Env again on top of a parent stage\'s scope', () => {
    const parent = StageScope.start(context, { env: ['V=env'] }).withArg({ name: 'V', value: 'arg' });
    const child = StageScope.start(context, { env: ['V=env'], parent });
    expect(child.get('V')).toBe('env');
    expect(child.args).toEqual([{ name: 'V', value: 'arg' }]);
  });

  it('keeps BuildKit\'s SBOM arguments out of the environment', () => {
    const scope = StageScope.start(context).withArg({ name: 'BUILDKIT_SBOM_SCAN_STAGE', value: 'true' });
    expect(scope.environment()).toEqual([]);
    expect(scope.declaredArgs()).toEqual([{ name: 'BUILDKIT_SBOM_SCAN_STAGE', value: 'true' }]);
  });

  it('lists a redeclared ARG once, at its first place', () => {
    const scope = StageScope.start(context).withArg({ name: 'A', value: '1' }).withArg({ name: 'B', value: '2' }).withArg({ name: 'A', value: '3' });
    expect(scope.declaredArgs()).toEqual([{ name: 'A', value: '3' }, { name: 'B', value: '2' }]);
  });

  it('splits env entries at the first =', () => {
    expect(splitEnvEntry('A=b=c')).toEqual(['A', 'b=c']);
    expect(splitEnvEntry('A')).toEqual(['A', '']);
  });
});
