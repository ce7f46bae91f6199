import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { BuildOptions, BuildResult, ProgressEvent } from '../../src/builder/types.js';
import { buildCommand, formatBuildError, packageVersion, type BuildCommandDeps, type BuildFunction } from '../../src/cli/build-command.js';
import { runCli } from '../support/run-cli.js';
import { capture, digest, failingBuild, successfulBuild } from './progress/helpers.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], deps: BuildCommandDeps = {}, stdin?: string): Promise<Run> {
  const stdout = capture();
  const stderr = capture();
  const io = { stdout, stderr, stdin: stdin === undefined ? undefined : PassThrough.from([stdin]) };
  const code = await buildCommand(argv, io, { env: {}, onInterrupt: () => () => {}, ...deps });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'build-image-cli-'));
  temporary.push(dir);
  return dir;
}

function contextDir(): string {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\n');
  return dir;
}

/** A builder that replays `events` and returns a result with the outputs it was asked for. */
function stubBuild(events: ProgressEvent[] = successfulBuild(), fail?: Error): BuildFunction & { calls: BuildOptions[] } {
  const calls: BuildOptions[] = [];
  const build = async (options: BuildOptions): Promise<BuildResult> => {
    calls.push(options);
    for (const event of events) options.onProgress?.(event);
    if (fail) throw fail;
    return {
      digest,
      manifest: {} as BuildResult['manifest'],
      config: {} as BuildResult['config'],
      outputs: [...(options.outputs ?? [])],
      steps: [],
      warnings: [],
    };
  };
  return Object.assign(build, { calls });
}

const cwd = process.cwd();
afterEach(() => process.chdir(cwd));

describe('build command', () => {
  it('builds with progress on stderr and prints the digest and the outputs on stdout', async () => {
    const context = contextDir();
    const build = stubBuild();
    const result = await run(['-o', 'type=oci,dest=out.tar', '-o', 'type=local,dest=rootfs', '-t', 'app:1', context], { build, env: { SOURCE_DATE_EPOCH: '10' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`digest: ${digest}\nwrote OCI archive to out.tar\ncopied the image's files to rootfs\n`);
    expect(result.stderr).toContain('#4 [stage-1 2/3] RUN make\n#4 0.123 compiling\n');
    expect(result.stderr).toContain(`#6 writing image ${digest} done\n#6 DONE 0.1s\n`);
    expect(build.calls).toHaveLength(1);
    const options = build.calls[0];
    expect(options).toMatchObject({
      context,
      tags: ['app:1'],
      outputs: [
        { type: 'oci-archive', dest: 'out.tar' },
        { type: 'local', dest: 'rootfs' },
      ],
      env: { SOURCE_DATE_EPOCH: '10' },
    });
    expect(options.signal).toBeInstanceOf(AbortSignal);
    expect(typeof options.onProgress).toBe('function');
  });

  it('writes the default OCI layout under ./build-image-out, or ./NAME_TAG, and says so', async () => {
    const context = contextDir();
    process.chdir(tempDir());
    const plain = await run([context], { build: stubBuild([]) });
    expect(plain.stdout).toBe(`digest: ${digest}\nwrote OCI image layout to build-image-out\n`);
    const tagged = await run(['-t', 'ghcr.io/me/app:1.0', context], { build: stubBuild([]) });
    expect(tagged.stdout).toBe(`digest: ${digest}\nwrote OCI image layout to ghcr.io_me_app_1.0\n`);
  });

  it('refuses a default output directory that holds something other than an OCI layout', async () => {
    const context = contextDir();
    process.chdir(tempDir());
    mkdirSync('app');
    writeFileSync('app/main.go', 'package main\n');
    const build = stubBuild([]);
    const refused = await run(['-t', 'app', context], { build });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'build-image: ERROR: the default output ./app exists and is not an OCI image layout; choose where the image goes with --output (e.g. -o type=oci,dest=DIR,tar=false)\n',
    );
    expect(build.calls).toHaveLength(0);
    // An earlier layout is fine to write again.
    mkdirSync('layout');
    writeFileSync('layout/oci-layout', '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync('layout/index.json', '{}');
    expect((await run(['-t', 'layout', context], { build })).code).toBe(0);
  });

  it('prints only the digest with -q', async () => {
    const result = await run(['-q', '-o', 'type=oci,dest=x.tar', contextDir()], { build: stubBuild() });
    expect(result).toEqual({ code: 0, stdout: `${digest}\n`, stderr: '' });
  });

  it('prints JSON progress with --progress=json', async () => {
    const result = await run(['--progress=json', '-o', 'dir', contextDir()], { build: stubBuild() });
    const events = result.stderr.trim().split('\n').map((line) => JSON.parse(line));
    expect(events).toEqual(successfulBuild());
  });

  it('draws the tty view when stderr is a terminal', async () => {
    const stdout = capture();
    const stderr = capture({ isTTY: true, columns: 80, rows: 30 });
    const code = await buildCommand(['-o', 'dir', contextDir()], { stdout, stderr }, { build: stubBuild(), env: { NO_COLOR: '1' }, onInterrupt: () => () => {} });
    expect(code).toBe(0);
    expect(stderr.text()).toContain('[+] Building 0.5s (5/5) FINISHED\n');
    expect(stderr.text()).not.toContain('\x1b[34m');
  });

  it('reads the Dockerfile from standard input with -f -', async () => {
    const build = stubBuild([]);
    const result = await run(['-f', '-', '-o', 'dir', contextDir()], { build }, 'FROM scratch\nCOPY . /\n');
    expect(result.code).toBe(0);
    expect(build.calls[0].dockerfileText).toBe('FROM scratch\nCOPY . /\n');
    expect(build.calls[0].dockerfile).toBeUndefined();
  });

  it('prints a failed build as build-image: ERROR with the hint, after the progress, and exits 1', async () => {
    const error = Object.assign(new Error('Dockerfile:2:1: RUN make: process "/bin/sh -c make" did not complete successfully: exit code: 2'), {
      hint: 'RUN needs a container runtime',
    });
    const result = await run(['-o', 'dir', contextDir()], { build: stubBuild(failingBuild(), error) });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /#2 ERROR: process "\/bin\/sh -c make" did not complete successfully: exit code: 2\n------\n > \[2\/2\] RUN make:\n0\.050 make: building\n1\.150 make: \*\*\* \[all\] Error 2\n------\nbuild-image: ERROR: Dockerfile:2:1: RUN make: process "\/bin\/sh -c make" did not complete successfully: exit code: 2\nhint: RUN needs a container runtime\n$/,
    );
  });

  it('formats errors: hints already in the message and gathered errors', () => {
    expect(formatBuildError(Object.assign(new Error('Dockerfile:1:1: unknown stage. Use --target'), { hint: 'Use --target' }))).toBe(
      'build-image: ERROR: Dockerfile:1:1: unknown stage. Use --target\n',
    );
    expect(formatBuildError(Object.assign(new Error('the Dockerfile is not valid'), { errors: [new Error('Dockerfile:2:1: unknown instruction: FOO')] }))).toBe(
      'build-image: ERROR: the Dockerfile is not valid\n  Dockerfile:2:1: unknown instruction: FOO\n',
    );
    expect(formatBuildError('plain string')).toBe('build-image: ERROR: plain string\n');
  });

  it('aborts the build on Ctrl-C and exits 130', async () => {
    let interrupt: (() => void) | undefined;
    let stopped = false;
    const build: BuildFunction = (options) =>
      new Promise((_resolve, reject) => {
        options.onProgress?.({ type: 'build-start', stages: 1, steps: 1 });
        options.onProgress?.({ type: 'step-start', step: { id: 1, stage: 'stage-0', index: 1, total: 1, name: 'RUN sleep 100' }, time: 0 });
        options.signal!.addEventListener('abort', () => reject(new Error('aborted')));
        interrupt!();
      });
    const result = await run(['-o', 'dir', contextDir()], {
      build,
      onInterrupt: (handler) => {
        interrupt = handler;
        return () => {
          stopped = true;
        };
      },
    });
    expect(result.code).toBe(130);
    expect(result.stderr).toBe('#1 [1/1] RUN sleep 100\n#1 CANCELED\nbuild-image: ERROR: build canceled\n');
    expect(stopped).toBe(true);
  });

  it('reports a missing or non-directory context as buildx does', async () => {
    const missing = await run(['/nonexistent/context'], { build: stubBuild() });
    expect(missing).toEqual({ code: 1, stdout: '', stderr: 'build-image: ERROR: unable to prepare context: path "/nonexistent/context" not found\n' });
    const file = path.join(contextDir(), 'Dockerfile');
    const notDir = await run([file], { build: stubBuild() });
    expect(notDir.stderr).toBe(`build-image: ERROR: unable to prepare context: context must be a directory: ${file}\n`);
  });

  it('prints its help and version', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: build-image \[build\] \[OPTIONS\] \[CONTEXT\]\n/);
    for (const flag of ['--build-arg', '--build-context', '--cache-dir', '--file', '--no-cache', '--no-cache-filter', '--output', '--platform', '--progress', '--quiet', '--reproducible', '--tag', '--target']) {
      expect(help.stdout).toContain(flag);
    }
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `build-image ${packageVersion()}\n`, stderr: '' });
  });
});

describe('build-image main', () => {
  it('runs build as a command and as the default', async () => {
    expect((await runCli(['build', '--help'])).stdout).toMatch(/^Usage: build-image \[build\]/);
    expect((await runCli(['-q', '--help'])).stdout).toMatch(/^Usage: build-image \[build\]/);
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: build-image parse');
    expect(help.stdout).toContain('--output');
    expect((await runCli(['--version'])).stdout).toBe(`build-image ${packageVersion()}\n`);
  });

  it('exits 2 with build-image: message on usage errors', async () => {
    expect(await runCli(['build', '--bogus'])).toEqual({ code: 2, stdout: '', stderr: 'build-image: unknown flag: --bogus\n' });
    expect(await runCli(['-o', 'type=registry', '.'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^build-image: tag is needed when pushing to registry/) });
    expect(await runCli(['.', 'extra'])).toEqual({ code: 2, stdout: '', stderr: 'build-image: accepts at most 1 arg(s), received 2\n' });
  });

  it('takes an unknown first word that is not a directory for a mistyped command', async () => {
    expect(await runCli(['biuld'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'build-image: "biuld" is neither a command nor a context directory (commands: build, parse; see build-image --help)\n',
    });
    expect((await runCli(['build', 'biuld'])).stderr).toBe('build-image: ERROR: unable to prepare context: path "biuld" not found\n');
  });
});
