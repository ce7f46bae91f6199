import { cp, lstat, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BuildOptions, BuildResult, ProgressEvent } from '../../src/builder/index.js';
import { builder } from '../builder/build-support.js';
import { busyboxImage } from '../fixtures/busybox-image.js';
import { writeTree } from '../fixtures/file-tree.js';
import { run, toolsAvailable, which } from '../fixtures/tools.js';
import { distBuilt, runCliProcess } from '../support/cli-process.js';
import { runCli } from '../support/run-cli.js';
import { repoRoot } from '../support/shared-data.js';

/**
 * End-to-end: the repo's examples/ built with the library (and with the CLI), then checked by the tools that
 * consume images: skopeo (inspect, copy to docker-archive), umoci (unpack, then the files are read back), and
 * `docker load` where an engine answers. Expected configs and history texts are what Docker (BuildKit's
 * dockerfile2llb) writes for the same Dockerfile, worked out by hand from its dispatchers.
 */
const exampleDir = (name: string): string => path.join(repoRoot, 'examples', name);

const haveTools = toolsAvailable('examples end-to-end checks', ['skopeo', 'umoci'], ['skopeo', 'umoci']);
const busybox = haveTools ? await busyboxImage() : undefined;
const ready = haveTools && busybox !== undefined;
// umoci unpacks owners only as root; rootless, every file is the caller's.
const isRoot = process.getuid?.() === 0;
const dockerEngine = which('docker')
  ? await run('docker', ['info', '--format', '{{.ServerVersion}}']).then(
      (result) => result.stdout.trim() || undefined,
      () => undefined,
    )
  : undefined;

const { dir, run: buildIt } = builder('examples');

const defaultPath = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const buildkitComment = 'buildkit.dockerfile.v0';
/** The busybox fixture's own history (scripts/make-busybox-image.sh): one layer, then ENV and CMD. */
const busyboxHistoryLength = 2;
const nobody = { uid: 65534, gid: 65534 };
const root = { uid: 0, gid: 0 };

/** An image in an OCI layout. */
interface LayoutImage {
  layout: string;
  tag: string;
  /** `oci:LAYOUT:TAG`, for skopeo. */
  reference: string;
}

interface BuiltExample extends LayoutImage {
  result: BuildResult;
}

/** Builds examples/NAME into a fresh OCI layout tagged `test`, FROM busybox resolving to the fixture. */
async function buildExample(name: string, options: Partial<BuildOptions> = {}): Promise<BuiltExample> {
  const layout = path.join(await dir(), 'layout');
  const tag = 'test';
  const { result } = await buildIt({
    context: exampleDir(name),
    buildContexts: { busybox: busybox!.reference },
    tags: [`${name}:${tag}`],
    outputs: [{ type: 'oci-layout', dest: layout }],
    ...options,
  });
  return { result, layout, tag, reference: `oci:${layout}:${tag}` };
}

interface SkopeoInspect {
  Digest: string;
  Layers: string[];
  Labels: Record<string, string> | null;
  Env: string[] | null;
}

interface HistoryRecord {
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The image config exactly as stored, read by skopeo (its own struct would drop Docker's Shell and OnBuild). */
interface RawConfig {
  author?: string;
  os: string;
  architecture: string;
  config: Record<string, unknown>;
  rootfs: { type: string; diff_ids: string[] };
  history: HistoryRecord[];
}

async function skopeoJson<T>(args: string[]): Promise<T> {
  return JSON.parse((await run('skopeo', args)).stdout) as T;
}

async function inspect(image: LayoutImage): Promise<SkopeoInspect> {
  return skopeoJson<SkopeoInspect>(['inspect', image.reference]);
}

async function rawConfig(image: LayoutImage): Promise<RawConfig> {
  return skopeoJson<RawConfig>(['inspect', '--config', '--raw', image.reference]);
}

interface Unpacked {
  rootfs: string;
  /** The runtime spec umoci derives from the image config. */
  spec: { process: { args: string[]; cwd: string; env: string[]; user: { uid: number; gid: number } } };
}

/** One build (and one unpack) of an example, shared by the tests that only read it. */
function sharedBuild(name: string): { image: () => Promise<BuiltExample>; unpacked: () => Promise<Unpacked> } {
  let built: Promise<BuiltExample> | undefined;
  let unpacked: Promise<Unpacked> | undefined;
  const image = (): Promise<BuiltExample> => (built ??= buildExample(name));
  return { image, unpacked: () => (unpacked ??= image().then(unpack)) };
}

/** `umoci unpack` into a fresh bundle. */
async function unpack(image: LayoutImage): Promise<Unpacked> {
  const bundle = path.join(await dir(), 'bundle');
  await run('umoci', ['unpack', ...(isRoot ? [] : ['--rootless']), '--image', `${image.layout}:${image.tag}`, bundle]);
  const spec = JSON.parse(await readFile(path.join(bundle, 'config.json'), 'utf8'));
  return { rootfs: path.join(bundle, 'rootfs'), spec };
}

/** `skopeo copy` to a docker-archive, which skopeo then reads back: the layers are the config's diff IDs. */
async function expectDockerArchiveCopy(image: LayoutImage, name: string, config: RawConfig): Promise<void> {
  const archive = path.join(await dir(), 'docker.tar');
  await run('skopeo', ['copy', '--quiet', image.reference, `docker-archive:${archive}:${name}`]);
  const inspected = await skopeoJson<SkopeoInspect>(['inspect', `docker-archive:${archive}`]);
  expect(inspected.Layers).toEqual(config.rootfs.diff_ids);
  expect(await skopeoJson<RawConfig>(['inspect', '--config', '--raw', `docker-archive:${archive}`])).toEqual(config);
}

/** The history entries the build added on top of the base image's. */
function ownHistory(config: RawConfig, baseLength: number): Array<{ created_by: string; empty_layer: boolean }> {
  return config.history.slice(baseLength).map((entry) => {
    expect(entry.comment).toBe(buildkitComment);
    return { created_by: entry.created_by ?? '', empty_layer: entry.empty_layer === true };
  });
}

async function fileMode(file: string): Promise<number> {
  return (await stat(file)).mode & 0o7777;
}

async function owner(file: string): Promise<{ uid: number; gid: number }> {
  const { uid, gid } = await lstat(file);
  return { uid, gid };
}

describe.skipIf(!ready)('examples/static-site (FROM scratch)', () => {
  it('builds with the library; skopeo and umoci read the image', async () => {
    const image = await buildExample('static-site');
    const inspected = await inspect(image);
    expect(inspected.Digest).toBe(image.result.digest);
    expect(inspected.Labels).toEqual({ 'org.opencontainers.image.title': 'static-site example' });
    const config = await rawConfig(image);
    expect(config.config).toEqual({
      Env: [defaultPath],
      Labels: { 'org.opencontainers.image.title': 'static-site example' },
      WorkingDir: '/srv/www',
      Cmd: ['httpd', '-f', '-p', '8080', '-h', '/srv/www'],
      ArgsEscaped: true,
    });
    expect(ownHistory(config, 0)).toEqual([
      { created_by: 'LABEL org.opencontainers.image.title=static-site example', empty_layer: true },
      { created_by: 'WORKDIR /srv/www', empty_layer: false },
      { created_by: 'COPY site/ ./ # buildkit', empty_layer: false },
      { created_by: 'CMD ["httpd" "-f" "-p" "8080" "-h" "/srv/www"]', empty_layer: true },
    ]);

    const { rootfs } = await unpack(image);
    const source = path.join(exampleDir('static-site'), 'site/index.html');
    expect(await readFile(path.join(rootfs, 'srv/www/index.html'), 'utf8')).toBe(await readFile(source, 'utf8'));
    expect(await fileMode(path.join(rootfs, 'srv/www/index.html'))).toBe(await fileMode(source));
    expect(await fileMode(path.join(rootfs, 'srv/www'))).toBe(0o755);
    await expectDockerArchiveCopy(image, 'static-site:test', config);
  });

  it.skipIf(!distBuilt && process.env.CI !== 'true')("builds with the README's first command, unchanged", async () => {
    // `node bin/build-image.js examples/static-site`, run where examples/static-site is a relative path; the cache
    // goes under the temporary directory, not ~/.cache.
    const work = await dir();
    await cp(exampleDir('static-site'), path.join(work, 'examples/static-site'), { recursive: true });
    const { code, stderr } = await runCliProcess(['examples/static-site'], {
      cwd: work,
      env: { ...process.env, XDG_CACHE_HOME: path.join(work, 'cache'), BUILDKIT_PROGRESS: 'plain' },
    });
    expect(code, stderr).toBe(0);
    const layout = path.join(work, 'build-image-out');
    const inspected = await skopeoJson<SkopeoInspect>(['inspect', `oci:${layout}:latest`]);
    expect(inspected.Labels).toEqual({ 'org.opencontainers.image.title': 'static-site example' });
    expect(inspected.Layers).toHaveLength(2);
  });
});

describe.skipIf(!ready)('examples/busybox-site (COPY --chown onto busybox)', () => {
  const example = sharedBuild('busybox-site');

  it('has the config and history Docker writes', async () => {
    const image = await example.image();
    const inspected = await inspect(image);
    expect(inspected.Digest).toBe(image.result.digest);
    // busybox's layer, WORKDIR's, COPY's.
    expect(inspected.Layers).toHaveLength(3);
    const config = await rawConfig(image);
    expect(config.config).toEqual({
      Env: [defaultPath],
      Cmd: ['httpd', '-f', '-p', '8080', '-h', '/www'],
      ArgsEscaped: true,
      WorkingDir: '/www',
      User: 'nobody',
      ExposedPorts: { '8080/tcp': {} },
    });
    expect(ownHistory(config, busyboxHistoryLength)).toEqual([
      { created_by: 'WORKDIR /www', empty_layer: false },
      { created_by: 'COPY --chown=nobody:nobody site/ ./ # buildkit', empty_layer: false },
      { created_by: 'USER nobody', empty_layer: true },
      { created_by: 'EXPOSE [8080/tcp]', empty_layer: true },
      { created_by: 'CMD ["httpd" "-f" "-p" "8080" "-h" "/www"]', empty_layer: true },
    ]);
    await expectDockerArchiveCopy(image, 'busybox-site:test', config);
  });

  it('unpacks with umoci: the site, owned by nobody, without what .dockerignore excludes', async () => {
    const { rootfs, spec } = await example.unpacked();
    const site = path.join(exampleDir('busybox-site'), 'site');
    for (const file of ['index.html', 'css/site.css']) {
      expect(await readFile(path.join(rootfs, 'www', file), 'utf8')).toBe(await readFile(path.join(site, file), 'utf8'));
      expect(await fileMode(path.join(rootfs, 'www', file))).toBe(await fileMode(path.join(site, file)));
    }
    expect(await fileMode(path.join(rootfs, 'www/css'))).toBe(await fileMode(path.join(site, 'css')));
    await expect(lstat(path.join(rootfs, 'www/drafts'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(lstat(path.join(rootfs, 'www/README.md'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await stat(path.join(rootfs, 'bin/busybox'))).isFile()).toBe(true);
    if (isRoot) {
      expect(await owner(path.join(rootfs, 'www/index.html'))).toEqual(nobody);
      expect(await owner(path.join(rootfs, 'www/css'))).toEqual(nobody);
      expect(await owner(path.join(rootfs, 'www/css/site.css'))).toEqual(nobody);
      expect(spec.process.user).toMatchObject(nobody);
    }
    expect(spec.process.args).toEqual(['httpd', '-f', '-p', '8080', '-h', '/www']);
    expect(spec.process.cwd).toBe('/www');
  });

  it.skipIf(!isRoot)("leaves WORKDIR's /www as it was: COPY --chown of a directory's contents keeps an existing destination's owner", async () => {
    // fsutil's copy (BuildKit's COPY) only sets the metadata of directories it creates; /www was made by WORKDIR,
    // before USER, so it stays root's.
    const { rootfs } = await example.unpacked();
    expect(await owner(path.join(rootfs, 'www'))).toEqual(root);
  });

  it.skipIf(!dockerEngine)('docker load takes the docker output (when a Docker engine answers)', async () => {
    const archive = path.join(await dir(), 'busybox-site.tar');
    const tag = `build-image-test/busybox-site:${process.pid}`;
    const image = await buildExample('busybox-site', { tags: [tag], outputs: [{ type: 'docker', dest: archive }] });
    try {
      expect((await run('docker', ['load', '-i', archive])).stdout).toContain(tag);
      const [loaded] = JSON.parse((await run('docker', ['image', 'inspect', tag])).stdout) as Array<{ Id: string; Config: Record<string, unknown>; RootFS: { Layers: string[] } }>;
      expect(loaded.RootFS.Layers).toEqual(image.result.config.rootfs.diff_ids);
      expect(loaded.Config).toMatchObject({ User: 'nobody', WorkingDir: '/www', Cmd: ['httpd', '-f', '-p', '8080', '-h', '/www'], ExposedPorts: { '8080/tcp': {} } });
    } finally {
      await run('docker', ['image', 'rm', tag]).catch(() => undefined);
    }
  });
});

describe.skipIf(!ready)('examples/multi-stage (an artifact copied across stages)', () => {
  const dockerfile = path.join(exampleDir('multi-stage'), 'Dockerfile');

  it('builds only the stages the target needs; --build-arg reaches the label and a heredoc', async () => {
    const image = await buildExample('multi-stage', { buildArgs: { APP_VERSION: '2.1.0' } });
    expect(new Set(image.result.steps.map((step) => step.stage))).toEqual(new Set(['build', 'stage-2']));

    const config = await rawConfig(image);
    expect(config.config).toEqual({
      Env: [`PATH=/opt/app/bin:${defaultPath.slice('PATH='.length)}`],
      Cmd: ['app'],
      ArgsEscaped: true,
      Labels: { 'org.opencontainers.image.version': '2.1.0', 'org.example.channel': 'dev' },
    });
    // Only the target stage's history: the build stage's steps are not in it.
    expect(ownHistory(config, busyboxHistoryLength)).toEqual([
      { created_by: 'ARG APP_VERSION=2.1.0', empty_layer: true },
      { created_by: 'ARG BUILD_CHANNEL=dev', empty_layer: true },
      { created_by: 'LABEL org.opencontainers.image.version=2.1.0 org.example.channel=dev', empty_layer: true },
      { created_by: 'COPY /out/ /opt/app/ # buildkit', empty_layer: false },
      { created_by: `ENV PATH=/opt/app/bin:${defaultPath.slice('PATH='.length)}`, empty_layer: true },
      { created_by: 'CMD ["app"]', empty_layer: true },
    ]);
    expect(config.rootfs.diff_ids).toHaveLength(2);

    const { rootfs, spec } = await unpack(image);
    const app = path.join(rootfs, 'opt/app');
    const source = exampleDir('multi-stage');
    expect(await readFile(path.join(app, 'VERSION'), 'utf8')).toBe('2.1.0\n');
    expect(await fileMode(path.join(app, 'VERSION'))).toBe(0o644);
    expect(await readFile(path.join(app, 'etc/app.conf'), 'utf8')).toBe('# A quoted delimiter: $HOME and ${APP_VERSION} stay as written.\ngreeting=hello from multi-stage\n');
    expect(await readFile(path.join(app, 'bin/app'), 'utf8')).toBe(await readFile(path.join(source, 'bin/app.sh'), 'utf8'));
    expect(await fileMode(path.join(app, 'bin/app'))).toBe(0o755);
    for (const file of ['index.txt', 'lib/greet.sh']) {
      expect(await readFile(path.join(app, 'share/app', file), 'utf8')).toBe(await readFile(path.join(source, 'src', file), 'utf8'));
    }
    await expect(lstat(path.join(app, 'tests'))).rejects.toMatchObject({ code: 'ENOENT' });
    if (isRoot) expect(await owner(path.join(app, 'bin/app'))).toEqual(root);
    expect(spec.process.args).toEqual(['app']);
    expect(spec.process.env).toContain(`PATH=/opt/app/bin:${defaultPath.slice('PATH='.length)}`);
    await expectDockerArchiveCopy(image, 'multi-stage:test', config);
  });

  it('builds through the CLI (in process) with --build-context and --build-arg', async () => {
    const work = await dir();
    const layout = path.join(work, 'layout');
    const { code, stdout, stderr } = await runCli([
      '--build-context',
      `busybox=${busybox!.reference}`,
      '--build-arg',
      'BUILD_CHANNEL=release',
      '-t',
      'multi-stage:cli',
      '--output',
      `type=oci,dest=${layout},tar=false`,
      '--cache-dir',
      path.join(work, 'cache'),
      '--progress',
      'plain',
      exampleDir('multi-stage'),
    ]);
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/#\d+ \[build \d\/\d\] COPY src\/ share\/app\//);
    expect(stderr).not.toMatch(/\[test /);
    const image: LayoutImage = { layout, tag: 'cli', reference: `oci:${layout}:cli` };
    const inspected = await inspect(image);
    expect(stdout + stderr).toContain(inspected.Digest);
    expect(inspected.Labels).toEqual({ 'org.opencontainers.image.version': '1.0.0', 'org.example.channel': 'release' });
    const { rootfs } = await unpack(image);
    expect(await readFile(path.join(rootfs, 'opt/app/VERSION'), 'utf8')).toBe('1.0.0\n');
  });

  it('--target test builds the test stage, whose RUN runs the tests over the copied artifact', async () => {
    const { result, events } = await buildIt({
      context: exampleDir('multi-stage'),
      buildContexts: { busybox: busybox!.reference },
      target: 'test',
      outputs: [{ type: 'oci-layout', dest: path.join(await dir(), 'layout') }],
    });
    const runStep = result.steps.find((step) => step.name === 'RUN /out/tests/run.sh');
    expect(runStep?.cached).toBe(false);
    expect(events.some((event: ProgressEvent) => event.type === 'step-log' && event.text === 'ok')).toBe(true);
  });
});

describe.skipIf(!ready)('examples/metadata (every metadata instruction)', () => {
  const healthcheckCommand = 'wget -q -O /dev/null "http://127.0.0.1:${APP_PORT}/" || exit 1';
  const labels = {
    'org.opencontainers.image.title': 'metadata example',
    'org.opencontainers.image.description': 'Every metadata instruction, once',
  };

  const example = sharedBuild('metadata');

  it('has, field by field, the config Docker writes', async () => {
    const image = await example.image();
    const config = await rawConfig(image);
    expect(config.author).toBe('Jane Doe <jane@example.com>');
    const fields = config.config;
    expect(fields.Env).toEqual([defaultPath, 'APP_HOME=/srv/app', 'APP_PORT=8080']);
    expect(fields.Labels).toEqual(labels);
    expect(fields.User).toBe('nobody');
    expect(fields.WorkingDir).toBe('/srv/app');
    expect(fields.ExposedPorts).toEqual({ '8080/tcp': {}, '5353/udp': {} });
    expect(fields.Volumes).toEqual({ '/srv/app/data': {}, '/var/log/app': {} });
    expect(fields.StopSignal).toBe('SIGQUIT');
    // Durations in nanoseconds; the test is kept as written, for the container's shell to expand.
    expect(fields.Healthcheck).toEqual({
      Test: ['CMD-SHELL', healthcheckCommand],
      Interval: 30_000_000_000,
      Timeout: 5_000_000_000,
      StartPeriod: 10_000_000_000,
      StartInterval: 2_000_000_000,
      Retries: 3,
    });
    expect(fields.Shell).toEqual(['/bin/sh', '-ec']);
    // ONBUILD keeps each trigger's text as written after the keyword.
    expect(fields.OnBuild).toEqual(['COPY . /srv/app/www/', 'LABEL org.example.based-on="metadata example"']);
    expect(fields.Entrypoint).toEqual(['httpd', '-f', '-h', '/srv/app/www']);
    // CMD after ENTRYPOINT in the same stage: kept (busybox's own Cmd ["sh"] is replaced).
    expect(fields.Cmd).toEqual(['-p', '8080']);
    expect(fields.ArgsEscaped).toBe(true);
    // And nothing else.
    expect(Object.keys(fields).sort()).toEqual(
      ['ArgsEscaped', 'Cmd', 'Entrypoint', 'Env', 'ExposedPorts', 'Healthcheck', 'Labels', 'OnBuild', 'Shell', 'StopSignal', 'User', 'Volumes', 'WorkingDir'].sort(),
    );
    // skopeo's summary agrees.
    const inspected = await inspect(image);
    expect(inspected.Digest).toBe(image.result.digest);
    expect(inspected.Labels).toEqual(labels);
    expect(inspected.Env).toEqual(fields.Env);
    await expectDockerArchiveCopy(image, 'metadata:test', config);
  });

  it("writes Docker's history entry for each instruction (created_by, empty_layer)", async () => {
    const config = await rawConfig(await example.image());
    expect(ownHistory(config, busyboxHistoryLength)).toEqual([
      { created_by: 'ARG APP_USER=nobody APP_PORT=8080', empty_layer: true },
      { created_by: 'ENV APP_HOME=/srv/app APP_PORT=8080', empty_layer: true },
      { created_by: 'LABEL org.opencontainers.image.title=metadata example org.opencontainers.image.description=Every metadata instruction, once', empty_layer: true },
      { created_by: 'MAINTAINER Jane Doe <jane@example.com>', empty_layer: true },
      { created_by: 'USER nobody', empty_layer: true },
      { created_by: 'WORKDIR /srv/app', empty_layer: false },
      { created_by: 'COPY --chown=nobody:nobody www/ www/ # buildkit', empty_layer: false },
      { created_by: 'EXPOSE [8080/tcp 5353/udp]', empty_layer: true },
      { created_by: 'VOLUME [/srv/app/data /var/log/app]', empty_layer: true },
      { created_by: 'STOPSIGNAL SIGQUIT', empty_layer: true },
      // BuildKit: fmt.Sprintf("HEALTHCHECK %+v", HealthcheckConfig), durations as Go's Duration.String().
      { created_by: `HEALTHCHECK {Test:[CMD-SHELL ${healthcheckCommand}] Interval:30s Timeout:5s StartPeriod:10s StartInterval:2s Retries:3}`, empty_layer: true },
      { created_by: 'SHELL [/bin/sh -ec]', empty_layer: true },
      // ONBUILD adds no history entry.
      { created_by: 'ENTRYPOINT ["httpd" "-f" "-h" "/srv/app/www"]', empty_layer: true },
      { created_by: 'CMD ["-p" "8080"]', empty_layer: true },
    ]);
    expect(config.history.filter((entry) => entry.empty_layer !== true)).toHaveLength(config.rootfs.diff_ids.length);
  });

  it('unpacks with umoci: COPY --chown, and the runtime spec from the config', async () => {
    const { rootfs, spec } = await example.unpacked();
    const source = path.join(exampleDir('metadata'), 'www/index.html');
    expect(await readFile(path.join(rootfs, 'srv/app/www/index.html'), 'utf8')).toBe(await readFile(source, 'utf8'));
    expect(await fileMode(path.join(rootfs, 'srv/app'))).toBe(0o755);
    // VOLUME declares mount points; it creates nothing.
    await expect(lstat(path.join(rootfs, 'srv/app/data'))).rejects.toMatchObject({ code: 'ENOENT' });
    if (isRoot) {
      // Created by this COPY --chown: the destination directory is the --chown user's.
      expect(await owner(path.join(rootfs, 'srv/app/www'))).toEqual(nobody);
      expect(await owner(path.join(rootfs, 'srv/app/www/index.html'))).toEqual(nobody);
      expect(spec.process.user).toMatchObject(nobody);
    }
    expect(spec.process.args).toEqual(['httpd', '-f', '-h', '/srv/app/www', '-p', '8080']);
    expect(spec.process.cwd).toBe('/srv/app');
    expect(spec.process.env).toEqual(expect.arrayContaining(['APP_HOME=/srv/app', 'APP_PORT=8080']));
  });

  it.skipIf(!isRoot)('makes WORKDIR after USER as that user, parents included', async () => {
    // BuildKit's dispatchWorkdir: llb.Mkdir(wd, 0755, WithParents(true), WithUser(USER)); fsutil's MkdirAll chowns
    // every directory it creates.
    const { rootfs } = await example.unpacked();
    expect(await owner(path.join(rootfs, 'srv'))).toEqual(nobody);
    expect(await owner(path.join(rootfs, 'srv/app'))).toEqual(nobody);
  });

  it('runs its ONBUILD triggers in a build that uses it as the base image', async () => {
    const base = await example.image();
    const context = writeTree(await dir(), { 'extra.html': '<p>added by a child image</p>\n' });
    const child = path.join(await dir(), 'layout');
    await buildIt({
      context,
      dockerfileText: 'FROM metadata\nLABEL org.example.child=yes\n',
      buildContexts: { metadata: `oci-layout://${base.layout}:${base.tag}` },
      tags: ['child:test'],
      outputs: [{ type: 'oci-layout', dest: child }],
    });
    const image: LayoutImage = { layout: child, tag: 'test', reference: `oci:${child}:test` };
    const config = await rawConfig(image);
    const baseConfig = await rawConfig(base);
    expect(config.config.Labels).toEqual({ ...labels, 'org.example.based-on': 'metadata example', 'org.example.child': 'yes' });
    // Triggers run once: the child's config no longer carries them.
    expect(config.config.OnBuild).toBeUndefined();
    expect(config.history.slice(0, baseConfig.history.length)).toEqual(baseConfig.history);
    expect(ownHistory(config, baseConfig.history.length)).toEqual([
      { created_by: 'COPY . /srv/app/www/ # buildkit', empty_layer: false },
      { created_by: 'LABEL org.example.based-on=metadata example', empty_layer: true },
      { created_by: 'LABEL org.example.child=yes', empty_layer: true },
    ]);
    const { rootfs } = await unpack(image);
    expect(await readFile(path.join(rootfs, 'srv/app/www/extra.html'), 'utf8')).toBe('<p>added by a child image</p>\n');
    // COPY without --chown: root's, whatever USER says.
    if (isRoot) expect(await owner(path.join(rootfs, 'srv/app/www/extra.html'))).toEqual(root);
  });

  it.skipIf(!dockerEngine)('docker load takes it, and Docker reads the same config and history', async () => {
    const archive = path.join(await dir(), 'metadata.tar');
    const tag = `build-image-test/metadata:${process.pid}`;
    const image = await buildExample('metadata', { tags: [tag], outputs: [{ type: 'docker', dest: archive }] });
    try {
      expect((await run('docker', ['load', '-i', archive])).stdout).toContain(tag);
      const [loaded] = JSON.parse((await run('docker', ['image', 'inspect', tag])).stdout) as Array<{ Author: string; Config: Record<string, unknown> }>;
      expect(loaded.Author).toBe('Jane Doe <jane@example.com>');
      const expected = structuredClone(image.result.config.config) as Record<string, unknown> & { Healthcheck?: Record<string, unknown> };
      // Engines before Docker 25 do not know HEALTHCHECK --start-interval and drop it when they read the config.
      const loadedHealthcheck = loaded.Config.Healthcheck as Record<string, unknown> | undefined;
      if (expected.Healthcheck && loadedHealthcheck && !('StartInterval' in loadedHealthcheck)) delete expected.Healthcheck.StartInterval;
      expect(loaded.Config).toMatchObject(expected);
      const history = (await run('docker', ['history', '--no-trunc', '--format', '{{.CreatedBy}}', tag])).stdout.trim().split('\n').reverse();
      expect(history).toEqual((image.result.config.history ?? []).map((entry) => entry.created_by ?? ''));
    } finally {
      await run('docker', ['image', 'rm', tag]).catch(() => undefined);
    }
  });
});

if (!dockerEngine) {
  console.warn(`\n*** SKIPPED docker load of the examples: ${which('docker') ? 'no Docker engine answers (docker info failed)' : 'docker is not installed'} ***\n`);
}
if (!distBuilt) {
  console.warn("\n*** SKIPPED the README's `node bin/build-image.js examples/static-site`: dist/ is not built (npm run build) ***\n");
}
