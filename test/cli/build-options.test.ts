import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BuildOptions } from '../../src/builder/types.js';
import { defaultOutputPath, parseBuildArgs, parseOutput, type BuildCliSettings } from '../../src/cli/build-options.js';
import { UsageError } from '../../src/cli/io.js';

function parse(argv: string[], env: Record<string, string | undefined> = {}, stderrIsTTY = false): { options: BuildOptions; settings: BuildCliSettings } {
  const invocation = parseBuildArgs(argv, { env, stderrIsTTY });
  if (invocation.kind !== 'build') throw new Error(`expected a build, got ${invocation.kind}`);
  return invocation;
}

function usageError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('build options', () => {
  it('defaults: context ., the default OCI layout, plain progress off a terminal', () => {
    expect(parse([])).toEqual({
      kind: 'build',
      options: { context: '.', outputs: [{ type: 'oci-layout', dest: 'build-image-out' }] },
      settings: { progress: 'plain', quiet: false, dockerfileFromStdin: false, defaultOutput: true },
    });
    expect(parse(['ctx']).options.context).toBe('ctx');
  });

  it('reads every flag', () => {
    const { options, settings } = parse(
      [
        '-f', 'docker/Dockerfile.dev',
        '-t', 'registry.example:5000/team/app:1.0',
        '--tag=app',
        '--build-arg', 'A=1',
        '--build-arg=B=x=y',
        '--build-arg', 'FROM_ENV',
        '--build-arg', 'UNSET',
        '--build-context', 'base=oci-layout:///images/base:1',
        '--build-context', 'src=../src',
        '--target', 'final',
        '--platform', 'linux/arm64',
        '--no-cache',
        '--no-cache-filter', 'deps',
        '--no-cache-filter=test',
        '-o', 'type=oci,dest=out.tar',
        '--output', 'type=docker,dest=img.tar',
        '--progress', 'json',
        '--cache-dir', '/var/cache/bi',
        'ctx',
      ],
      { FROM_ENV: 'from env' },
    );
    expect(options).toEqual({
      context: 'ctx',
      dockerfile: path.resolve('docker/Dockerfile.dev'),
      tags: ['registry.example:5000/team/app:1.0', 'app'],
      buildArgs: { A: '1', B: 'x=y', FROM_ENV: 'from env' },
      buildContexts: { base: 'oci-layout:///images/base:1', src: '../src' },
      target: 'final',
      platform: 'linux/arm64',
      noCache: true,
      noCacheFilter: ['deps', 'test'],
      outputs: [
        { type: 'oci-archive', dest: 'out.tar' },
        { type: 'docker', dest: 'img.tar' },
      ],
      cacheDir: '/var/cache/bi',
    });
    expect(settings).toEqual({ progress: 'json', quiet: false, dockerfileFromStdin: false, defaultOutput: false });
  });

  it('takes flags after the context, short flags grouped or joined, and -- before a context that looks like a flag', () => {
    expect(parse(['ctx', '-qt', 'app']).options).toMatchObject({ context: 'ctx', tags: ['app'] });
    expect(parse(['-tapp', '-t=other']).options.tags).toEqual(['app', 'other']);
    expect(parse(['--', '-odd']).options.context).toBe('-odd');
  });

  it('lets the last single-valued flag win, like cobra', () => {
    expect(parse(['--target', 'a', '--target', 'b']).options.target).toBe('b');
  });

  it('takes Go booleans: --no-cache=false, --quiet=1', () => {
    expect(parse(['--no-cache=false']).options.noCache).toBeUndefined();
    expect(parse(['--no-cache=true']).options.noCache).toBe(true);
    expect(parse(['--quiet=1']).settings.quiet).toBe(true);
    expect(usageError(() => parse(['--no-cache=maybe']))).toBe(
      'invalid argument "maybe" for "--no-cache" flag: strconv.ParseBool: parsing "maybe": invalid syntax',
    );
  });

  it('reads the Dockerfile from standard input with -f -', () => {
    const { options, settings } = parse(['-f', '-', 'ctx']);
    expect(options.dockerfile).toBeUndefined();
    expect(settings.dockerfileFromStdin).toBe(true);
  });

  it('names the default output after the first tag', () => {
    expect(parse(['-t', 'ghcr.io/me/app:1.2', '-t', 'other']).options.outputs).toEqual([{ type: 'oci-layout', dest: 'ghcr.io_me_app_1.2' }]);
    expect(parse(['-t', 'app']).options.outputs).toEqual([{ type: 'oci-layout', dest: 'app' }]);
    expect(defaultOutputPath([])).toBe('build-image-out');
    expect(parse(['-t', 'app', '-o', 'dir']).settings.defaultOutput).toBe(false);
  });

  it('resolves --progress: auto is tty on a terminal, plain elsewhere; BUILDKIT_PROGRESS sets the default', () => {
    expect(parse([], {}, true).settings.progress).toBe('tty');
    expect(parse(['--progress=auto'], {}, false).settings.progress).toBe('plain');
    expect(parse(['--progress', 'tty']).settings.progress).toBe('tty');
    expect(parse(['--progress', 'plain'], {}, true).settings.progress).toBe('plain');
    expect(parse(['--progress', 'rawjson']).settings.progress).toBe('json');
    expect(parse([], { BUILDKIT_PROGRESS: 'plain' }, true).settings.progress).toBe('plain');
    expect(parse(['--progress', 'tty'], { BUILDKIT_PROGRESS: 'plain' }).settings.progress).toBe('tty');
    expect(usageError(() => parse(['--progress', 'fancy']))).toBe('invalid progress mode "fancy" (expected auto, plain, tty or json)');
    expect(usageError(() => parse([], { BUILDKIT_PROGRESS: 'fancy' }))).toBe('invalid BUILDKIT_PROGRESS "fancy" (expected auto, plain, tty or json)');
  });

  it('makes -q quiet whatever the progress mode', () => {
    expect(parse(['-q', '--progress', 'tty']).settings).toMatchObject({ progress: 'quiet', quiet: true });
    expect(parse(['--progress', 'quiet']).settings.quiet).toBe(true);
  });

  it('passes SOURCE_DATE_EPOCH through env; --reproducible sets 0 only when it is not set', () => {
    expect(parse([], { SOURCE_DATE_EPOCH: '1700000000' }).options).toMatchObject({ env: { SOURCE_DATE_EPOCH: '1700000000' } });
    expect(parse([], { SOURCE_DATE_EPOCH: '1700000000' }).options.sourceDateEpoch).toBeUndefined();
    expect(parse(['--reproducible']).options.sourceDateEpoch).toBe(0);
    expect(parse(['--reproducible']).options.env).toBeUndefined();
    expect(parse(['--reproducible'], { SOURCE_DATE_EPOCH: '5' }).options).toMatchObject({ env: { SOURCE_DATE_EPOCH: '5' } });
    expect(parse(['--reproducible'], { SOURCE_DATE_EPOCH: '5' }).options.sourceDateEpoch).toBeUndefined();
    expect(parse(['--reproducible'], { SOURCE_DATE_EPOCH: '' }).options.sourceDateEpoch).toBe(0);
    expect(parse([], { OTHER: 'x' }).options.env).toBeUndefined();
  });

  it('accepts one platform, repeated or comma-separated, and refuses several', () => {
    expect(parse(['--platform', 'linux/amd64,linux/amd64']).options.platform).toBe('linux/amd64');
    expect(usageError(() => parse(['--platform', 'linux/amd64,linux/arm64']))).toMatch(/^multi-platform builds are not supported yet/);
    expect(usageError(() => parse(['--platform', 'linux/amd64', '--platform', 'linux/arm64']))).toMatch(/^multi-platform/);
  });

  it('answers --help and --version before anything else', () => {
    expect(parseBuildArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseBuildArgs(['-h', 'a', 'b'])).toEqual({ kind: 'help' });
    expect(parseBuildArgs(['--version'])).toEqual({ kind: 'version' });
    expect(parseBuildArgs(['-V'])).toEqual({ kind: 'version' });
  });

  it("gives cobra's messages for flag mistakes", () => {
    expect(usageError(() => parse(['--bogus']))).toBe('unknown flag: --bogus');
    expect(usageError(() => parse(['--bogus=1']))).toBe('unknown flag: --bogus');
    expect(usageError(() => parse(['-qx']))).toBe("unknown shorthand flag: 'x' in -qx");
    expect(usageError(() => parse(['--tag']))).toBe('flag needs an argument: --tag');
    expect(usageError(() => parse(['-t']))).toBe("flag needs an argument: 't' in -t");
    expect(usageError(() => parse(['a', 'b']))).toBe('accepts at most 1 arg(s), received 2');
  });

  it('checks values', () => {
    expect(usageError(() => parse(['--build-arg', '=x']))).toBe('invalid key-value pair "=x": empty key');
    expect(usageError(() => parse(['--build-context', 'name']))).toBe('invalid context value: name, expected key=value');
    expect(usageError(() => parse(['--build-context', '=x']))).toBe('invalid context value: =x, expected key=value');
    expect(usageError(() => parse(['-t', 'App:1']))).toMatch(/^invalid tag "App:1": .*lower-case/);
    expect(usageError(() => parse(['-t', 'app:bad tag']))).toMatch(/^invalid tag "app:bad tag"/);
    expect(usageError(() => parse(['-t', `app@sha256:${'0'.repeat(64)}`]))).toMatch(/^invalid tag/);
    expect(usageError(() => parse(['-f', '']))).toBe('the Dockerfile path (-f) is empty');
    expect(usageError(() => parse(['-']))).toMatch(/^reading the build context from standard input is not supported yet/);
    expect(usageError(() => parse(['https://github.com/a/b.git']))).toMatch(/^remote build contexts are not supported yet/);
    expect(usageError(() => parse(['git@github.com:a/b.git']))).toMatch(/^remote build contexts/);
  });
});

describe('--output', () => {
  it('reads the buildx forms', () => {
    expect(parseOutput('type=oci,dest=out.tar')).toEqual({ type: 'oci-archive', dest: 'out.tar' });
    expect(parseOutput('type=oci,dest=out.tar,tar=true')).toEqual({ type: 'oci-archive', dest: 'out.tar' });
    expect(parseOutput('type=oci,dest=dir,tar=false')).toEqual({ type: 'oci-layout', dest: 'dir' });
    expect(parseOutput('type=oci,tar=0,dest=dir')).toEqual({ type: 'oci-layout', dest: 'dir' });
    expect(parseOutput('type=docker,dest=x.tar')).toEqual({ type: 'docker', dest: 'x.tar' });
    expect(parseOutput('type=local,dest=dir')).toEqual({ type: 'local', dest: 'dir' });
    expect(parseOutput('dir')).toEqual({ type: 'local', dest: 'dir' });
    expect(parseOutput('./out/rootfs')).toEqual({ type: 'local', dest: './out/rootfs' });
  });

  it('reads CSV: quoted values with commas, keys case-insensitive and trimmed', () => {
    expect(parseOutput('type=local,"dest=a,b"')).toEqual({ type: 'local', dest: 'a,b' });
    expect(parseOutput('TYPE=oci, Dest=x.tar')).toEqual({ type: 'oci-archive', dest: 'x.tar' });
    expect(parseOutput('dest=x.tar,type=docker')).toEqual({ type: 'docker', dest: 'x.tar' });
  });

  it('reads registry outputs: type=registry with or without names, type=image only with push=true', () => {
    expect(parseOutput('type=registry')).toEqual({ type: 'registry' });
    expect(parseOutput('type=registry,name=localhost:5000/a:1')).toEqual({ type: 'registry', names: ['localhost:5000/a:1'] });
    expect(parseOutput('type=image,"name=reg.example/a:1,reg.example/a:2",push=true')).toEqual({ type: 'registry', names: ['reg.example/a:1', 'reg.example/a:2'] });
    expect(usageError(() => parseOutput('type=image,name=x'))).toMatch(/without push=true/);
    expect(usageError(() => parseOutput('type=registry,dest=x'))).toMatch(/unknown key "dest"/);
  });

  it('refuses unknown types and keys, and missing values', () => {
    expect(usageError(() => parseOutput('type=foo,dest=x'))).toBe('unknown output type "foo" (supported: oci, docker, local)');
    expect(usageError(() => parseOutput('type=tar,dest=x'))).toBe('--output type=tar is not supported yet (supported: oci, docker, local)');
    expect(usageError(() => parseOutput('type=oci,dest=x,compression=zstd'))).toBe('unknown key "compression" in --output type=oci (supported: dest, tar)');
    expect(usageError(() => parseOutput('type=local,dest=x,tar=false'))).toBe('unknown key "tar" in --output type=local (supported: dest)');
    expect(usageError(() => parseOutput('dest=x,tar=false'))).toBe('type is required for output');
    // One field without a comma is a path, as in buildx (even when it has an =).
    expect(parseOutput('dest=x')).toEqual({ type: 'local', dest: 'dest=x' });
    expect(usageError(() => parseOutput('type=oci,dest'))).toBe('invalid value dest');
    expect(usageError(() => parseOutput('type=local'))).toBe('dest is required for local output');
    expect(usageError(() => parseOutput('type=oci,tar=false'))).toBe('output directory is required for oci exporter');
    expect(usageError(() => parseOutput('type=oci'))).toMatch(/^dest is required for oci output/);
    expect(usageError(() => parseOutput('type=docker'))).toMatch(/^dest is required for docker output: build-image has no Docker daemon/);
    expect(usageError(() => parseOutput('type=docker,dest=x,tar=false'))).toMatch(/^tar=false is not supported for type=docker/);
    expect(usageError(() => parseOutput('type=oci,dest=x,tar=yes'))).toMatch(/^invalid argument "yes" for tar/);
    expect(usageError(() => parseOutput('-'))).toMatch(/^writing the output to standard output \(-o -\) is not supported/);
    expect(usageError(() => parseOutput(''))).toBe('invalid --output: the value is empty');
    expect(usageError(() => parseOutput('type=local,dest="x'))).toMatch(/^invalid --output type=local,dest="x: parse error on line 1/);
  });

  it('pushes with --push or type=registry, needing a name, and pulls with --pull', () => {
    expect(usageError(() => parse(['-o', 'type=registry']))).toMatch(/^tag is needed when pushing to registry/);
    expect(usageError(() => parse(['--push']))).toMatch(/^tag is needed when pushing to registry/);
    expect(parse(['--push', '-t', 'localhost:5000/app:1']).options.outputs).toEqual([{ type: 'registry' }]);
    expect(parse(['--push', '-t', 'a:1', '-o', 'type=oci,dest=x.tar']).options.outputs).toEqual([{ type: 'oci-archive', dest: 'x.tar' }, { type: 'registry' }]);
    expect(parse(['--pull']).options.pull).toBe(true);
  });

  it('refuses, before building, a name to push that is an image name but not a registry reference', () => {
    const hexName = 'a'.repeat(64);
    const longName = `${'x/'.repeat(130)}y:1`;
    // Fine as names of a layout or archive image...
    expect(parse(['-t', hexName, '-t', longName]).options.tags).toEqual([hexName, longName]);
    // ...but not as names to push to.
    expect(usageError(() => parse(['--push', '-t', hexName]))).toMatch(new RegExp(`^invalid tag "${hexName}" to push: invalid repository name`));
    expect(usageError(() => parse(['--push', '-t', 'ok:1', '-t', longName]))).toMatch(/to push: repository name must not be more than 255 characters$/);
    expect(usageError(() => parse(['-o', `type=registry,name=${hexName}`]))).toMatch(/^invalid tag "a{64}" to push/);
  });

  it('passes the auth files location only when the CLI gives a home directory', () => {
    expect(parse([]).options.registry).toBeUndefined();
    const invocation = parseBuildArgs([], { env: { DOCKER_CONFIG: '/x' }, homeDir: '/home/me' });
    expect(invocation.kind === 'build' && invocation.options.registry).toEqual({ authFiles: { env: { DOCKER_CONFIG: '/x' }, homeDir: '/home/me' } });
  });
});

describe('RUN options: --secret, --network, --allow, --executor', () => {
  it('reads secrets in buildx syntax: files resolved, environment values read by the CLI', () => {
    const { options } = parse(['--secret', 'id=npm,src=npmrc', '--secret', 'id=token,env=GH_TOKEN', '--secret', 'type=env,src=AWS_KEY', '--secret', 'id=PLAIN'], {
      GH_TOKEN: 'gh-value',
      AWS_KEY: 'aws-value',
      PLAIN: 'plain-value',
    });
    expect(options.secrets).toEqual({
      npm: { file: path.resolve('npmrc') },
      token: { value: 'gh-value' },
      AWS_KEY: { value: 'aws-value' },
      PLAIN: { value: 'plain-value' },
    });
  });

  it('refuses secrets without an id, with an unknown key or with an unset variable', () => {
    expect(usageError(() => parse(['--secret', 'src=']))).toMatch(/an id is required/);
    expect(usageError(() => parse(['--secret', 'id=a,foo=b']))).toMatch(/unexpected key 'foo'/);
    expect(usageError(() => parse(['--secret', 'id=a,env=NOPE']))).toMatch(/NOPE is not set/);
    expect(usageError(() => parse(['--secret', 'type=ssh,id=a']))).toMatch(/unsupported secret type/);
  });

  it('takes the network, entitlements and executor, refusing unknown values', () => {
    const { options } = parse(['--network', 'host', '--allow', 'network.host,security.insecure', '--executor', 'chroot']);
    expect(options).toMatchObject({ network: 'host', allow: ['network.host', 'security.insecure'], executor: 'chroot' });
    expect(parse(['--network=default']).options.network).toBeUndefined();
    expect(usageError(() => parse(['--network', 'bridge']))).toMatch(/invalid --network bridge/);
    expect(usageError(() => parse(['--allow', 'device']))).toMatch(/invalid --allow device/);
    expect(usageError(() => parse(['--executor', 'docker']))).toMatch(/invalid --executor docker/);
  });
});

describe('remote cache options', () => {
  it('reads --cache-to and --cache-from in buildx syntax', () => {
    const { options } = parse(['--cache-to', 'type=registry,ref=localhost:5000/cache:main,mode=max', '--cache-from', 'type=registry,ref=localhost:5000/cache:main']);
    expect(options.cacheTo).toEqual([{ type: 'registry', ref: 'localhost:5000/cache:main', mode: 'max' }]);
    expect(options.cacheFrom).toEqual([{ type: 'registry', ref: 'localhost:5000/cache:main' }]);
    expect(usageError(() => parse(['--cache-to', 'type=local,dest=x']))).toMatch(/^invalid --cache-to type=local,dest=x: .*only type=registry/);
  });
});
