import { chmod, readFile, rename, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BuildStepError, DockerfileInvalidError } from '../../src/builder/index.js';
import { busyboxImage } from '../fixtures/busybox-image.js';
import { writeTree } from '../fixtures/file-tree.js';
import { run, toolsAvailable } from '../fixtures/tools.js';
import { builder, cachedSteps } from './build-support.js';

const { dir, run: buildIt } = builder('build');
const haveTools = toolsAvailable('builder end-to-end checks', ['skopeo', 'umoci'], ['skopeo', 'umoci']);

describe('build: filesystem steps', () => {
  it('copies a static site onto busybox and the image unpacks with umoci', async () => {
    const busybox = await busyboxImage();
    if (!busybox || !haveTools) return;
    const context = writeTree(await dir(), {
      Dockerfile: 'FROM busybox\nWORKDIR /srv/www\nCOPY site/ ./\nCOPY --chmod=0755 start.sh /usr/local/bin/\nCMD ["httpd", "-f", "-h", "/srv/www"]\n',
      'site/index.html': '<p>hello</p>\n',
      'site/css/main.css': 'p { color: red }\n',
      'start.sh': '#!/bin/sh\nexec httpd -f\n',
    });
    const out = path.join(await dir(), 'layout');
    const { result } = await buildIt({ context, buildContexts: { busybox: busybox.reference }, outputs: [{ type: 'oci-layout', dest: out }], tags: ['site:1'] });
    const inspected = JSON.parse((await run('skopeo', ['inspect', `oci:${out}:1`])).stdout) as { Digest: string; Layers: string[] };
    expect(inspected.Digest).toBe(result.digest);
    expect(inspected.Layers).toHaveLength(result.manifest.layers.length);
    const bundle = path.join(await dir(), 'bundle');
    await run('umoci', ['unpack', '--image', `${out}:1`, bundle]);
    const rootfs = path.join(bundle, 'rootfs');
    expect(await readFile(path.join(rootfs, 'srv/www/index.html'), 'utf8')).toBe('<p>hello</p>\n');
    expect(await readFile(path.join(rootfs, 'srv/www/css/main.css'), 'utf8')).toBe('p { color: red }\n');
    expect((await stat(path.join(rootfs, 'usr/local/bin/start.sh'))).mode & 0o777).toBe(0o755);
    expect((await stat(path.join(rootfs, 'bin/busybox'))).isFile()).toBe(true);
    expect(result.config.config?.WorkingDir).toBe('/srv/www');
    expect(result.config.config?.Cmd).toEqual(['httpd', '-f', '-h', '/srv/www']);
  });

  it('builds only the stages the target needs, copying artifacts across stages', async () => {
    const context = writeTree(await dir(), {
      Dockerfile: [
        'FROM scratch AS builder',
        'COPY app.txt /out/app.txt',
        'FROM scratch AS unused',
        'COPY does-not-exist /x',
        'FROM scratch',
        'COPY --from=builder /out/app.txt /app/app.txt',
        '',
      ].join('\n'),
      'app.txt': 'artifact\n',
    });
    const local = path.join(await dir(), 'rootfs');
    const { result } = await buildIt({ context, outputs: [{ type: 'local', dest: local }] });
    expect(await readFile(path.join(local, 'app/app.txt'), 'utf8')).toBe('artifact\n');
    expect(result.steps.map((step) => `${step.stage} ${step.name}`)).toEqual(['builder COPY app.txt /out/app.txt', 'stage-2 COPY --from=builder /out/app.txt /app/app.txt']);
  });

  it('refuses files excluded by .dockerignore', async () => {
    const context = writeTree(await dir(), {
      Dockerfile: 'FROM scratch\nCOPY secret.txt /\n',
      '.dockerignore': 'secret.txt\n',
      'secret.txt': 'no\n',
    });
    await expect(buildIt({ context })).rejects.toMatchObject({ code: 'CONTEXT_SOURCE_NOT_FOUND' });
  });

  it('names the Dockerfile line and the instruction of a failing step', async () => {
    const context = writeTree(await dir(), { Dockerfile: 'FROM scratch\n\nCOPY missing.txt /\n' });
    const error = await buildIt({ context }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(BuildStepError);
    expect((error as BuildStepError).message).toMatch(/^Dockerfile:3:1: COPY missing\.txt \/: .*missing\.txt.*not found/);
  });

  it('fails RUN with a clear no-executor error when no runtime is installed', async () => {
    const context = writeTree(await dir(), { Dockerfile: 'FROM scratch\nRUN echo hi\n' });
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(buildIt({ context })).rejects.toMatchObject({ code: 'NO_EXECUTOR', message: expect.stringMatching(/^Dockerfile:2:1: RUN echo hi: no executor for RUN: /) });
    } finally {
      process.env.PATH = path;
    }
  });

  it('reports every parse error before building', async () => {
    const context = writeTree(await dir(), { Dockerfile: 'FROM scratch\nFOO\nCOPY --bad=1 a b\n' });
    const error = await buildIt({ context }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(DockerfileInvalidError);
    expect((error as DockerfileInvalidError).errors).toHaveLength(2);
  });
});

describe('build: metadata', () => {
  it('puts every metadata instruction into the image config and history', async () => {
    const context = writeTree(await dir(), {
      Dockerfile: [
        'FROM scratch',
        'LABEL org.example.a="one" b=two',
        'MAINTAINER someone@example.com',
        'ENV APP_HOME=/app MODE=prod',
        'ARG VERSION=1.2',
        'USER 1000:1000',
        'WORKDIR $APP_HOME',
        'EXPOSE 8080 53/udp',
        'VOLUME ["/data"]',
        'STOPSIGNAL SIGTERM',
        'HEALTHCHECK --interval=30s --timeout=3s CMD ["/bin/check"]',
        'SHELL ["/bin/sh", "-ec"]',
        'ONBUILD COPY . /app',
        'ENTRYPOINT ["/bin/app"]',
        'CMD run --help',
        '',
      ].join('\n'),
    });
    const { result } = await buildIt({ context });
    const config = result.config.config ?? {};
    expect(config.Labels).toEqual({ 'org.example.a': 'one', b: 'two' });
    expect(result.config.author).toBe('someone@example.com');
    expect(config.Env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'APP_HOME=/app', 'MODE=prod']);
    expect(config.User).toBe('1000:1000');
    expect(config.WorkingDir).toBe('/app');
    expect(config.ExposedPorts).toEqual({ '8080/tcp': {}, '53/udp': {} });
    expect(config.Volumes).toEqual({ '/data': {} });
    expect(config.StopSignal).toBe('SIGTERM');
    expect(config.Healthcheck).toEqual({ Test: ['CMD', '/bin/check'], Interval: 30_000_000_000, Timeout: 3_000_000_000 });
    expect(config.Shell).toEqual(['/bin/sh', '-ec']);
    expect(config.OnBuild).toEqual(['COPY . /app']);
    expect(config.Entrypoint).toEqual(['/bin/app']);
    expect(config.Cmd).toEqual(['/bin/sh', '-ec', 'run --help']);
    const history = result.config.history ?? [];
    expect(history.map((entry) => entry.created_by)).toContain('WORKDIR /app');
    expect(history.filter((entry) => !entry.empty_layer)).toHaveLength(result.manifest.layers.length);
  });
});

describe('build: cache', () => {
  async function project(): Promise<{ context: string; cacheDir: string }> {
    const context = writeTree(await dir(), {
      Dockerfile: 'FROM scratch\nARG UNUSED=x\nCOPY a.txt /a.txt\nCOPY b.txt /b.txt\nCOPY c/ /c/\n',
      'a.txt': 'aaa\n',
      'b.txt': 'bbb\n',
      'c/one': '1\n',
    });
    return { context, cacheDir: await dir() };
  }

  it('reuses every step when nothing changed, and after touching mtimes', async () => {
    const { context, cacheDir } = await project();
    const first = await buildIt({ context, cacheDir });
    expect(cachedSteps(first.result).cached).toEqual([]);
    const second = await buildIt({ context, cacheDir });
    expect(cachedSteps(second.result).ran).toEqual([]);
    expect(second.events.filter((event) => event.type === 'step-cached')).toHaveLength(3);
    const later = new Date(Date.now() + 60_000);
    for (const file of ['a.txt', 'b.txt', 'c/one']) await utimes(path.join(context, file), later, later);
    const third = await buildIt({ context, cacheDir });
    expect(cachedSteps(third.result).ran).toEqual([]);
    expect(third.result.manifest.layers).toEqual(first.result.manifest.layers);
  });

  it('invalidates exactly the steps that depend on a changed byte, mode or name', async () => {
    const { context, cacheDir } = await project();
    await buildIt({ context, cacheDir });
    await writeFile(path.join(context, 'b.txt'), 'bbc\n');
    expect(cachedSteps((await buildIt({ context, cacheDir })).result)).toEqual({ cached: ['COPY a.txt /a.txt'], ran: ['COPY b.txt /b.txt', 'COPY c/ /c/'] });
    await chmod(path.join(context, 'c/one'), 0o600);
    expect(cachedSteps((await buildIt({ context, cacheDir })).result)).toEqual({ cached: ['COPY a.txt /a.txt', 'COPY b.txt /b.txt'], ran: ['COPY c/ /c/'] });
    await rename(path.join(context, 'c/one'), path.join(context, 'c/two'));
    expect(cachedSteps((await buildIt({ context, cacheDir })).result)).toEqual({ cached: ['COPY a.txt /a.txt', 'COPY b.txt /b.txt'], ran: ['COPY c/ /c/'] });
  });

  it('keeps the cache when a build arg the steps do not use changes, and runs everything with noCache', async () => {
    const { context, cacheDir } = await project();
    await buildIt({ context, cacheDir, buildArgs: { UNUSED: 'one' } });
    expect(cachedSteps((await buildIt({ context, cacheDir, buildArgs: { UNUSED: 'two' } })).result).ran).toEqual([]);
    expect(cachedSteps((await buildIt({ context, cacheDir, noCache: true })).result).cached).toEqual([]);
  });

  it('invalidates a step whose expansion uses a changed build arg', async () => {
    const context = writeTree(await dir(), { Dockerfile: 'FROM scratch\nARG NAME=a\nCOPY $NAME.txt /x\n', 'a.txt': 'a\n', 'b.txt': 'a\n' });
    const cacheDir = await dir();
    await buildIt({ context, cacheDir });
    expect(cachedSteps((await buildIt({ context, cacheDir, buildArgs: { NAME: 'b' } })).result).ran).toEqual(['COPY $NAME.txt /x']);
  });
});

describe('build: reproducibility', () => {
  it('gives the same digest from two directories with SOURCE_DATE_EPOCH, cold and warm', async () => {
    const files = { Dockerfile: 'FROM scratch\nWORKDIR /w\nCOPY . /w/\nCMD ["x"]\n', 'one.txt': '1\n', 'sub/two.txt': '2\n' };
    const first = writeTree(await dir(), files);
    const second = writeTree(await dir(), files);
    // Newer than SOURCE_DATE_EPOCH: clamped to it, so it cannot change the layer.
    await utimes(path.join(second, 'one.txt'), new Date(), new Date(Date.now() + 3_600_000));
    const env = { SOURCE_DATE_EPOCH: '1700000000' };
    const a = await buildIt({ context: first, env });
    const b = await buildIt({ context: second, env });
    expect(b.result.digest).toBe(a.result.digest);
    const cacheDir = await dir();
    await buildIt({ context: first, env, cacheDir });
    const warm = await buildIt({ context: first, env, cacheDir });
    expect(cachedSteps(warm.result).ran).toEqual([]);
    expect(warm.result.digest).toBe(a.result.digest);
    expect(a.result.config.created).toBe('2023-11-14T22:13:20Z');
  });

  it('gives the same image on a fully cached rebuild: history times are those of the cached layers, as BuildKit gives them', async () => {
    const context = writeTree(await dir(), { Dockerfile: 'FROM scratch\nENV A=1\nCOPY one.txt /\nLABEL x=y\nCOPY two.txt /\nCMD ["x"]\n', 'one.txt': '1\n', 'two.txt': '2\n' });
    const cacheDir = await dir();
    const cold = await buildIt({ context, cacheDir });
    // Layer times are whole seconds: a rebuild in another second would show a build-time stamp.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const warm = await buildIt({ context, cacheDir });
    expect(cachedSteps(warm.result).ran).toEqual([]);
    expect(warm.result.digest).toBe(cold.result.digest);

    const history = cold.result.config.history ?? [];
    const times = history.map((entry) => entry.created);
    // ENV (before the first layer) takes the first COPY's time; LABEL the first COPY's; CMD the second COPY's.
    expect(times[0]).toBe(times[1]);
    expect(times[2]).toBe(times[1]);
    expect(times[4]).toBe(times[3]);
    expect(cold.result.config.created).toBe(times[4]);
    expect(history.map((entry) => entry.empty_layer ?? false)).toEqual([true, false, true, false, true]);

    // A changed file makes a new layer with a new time; what comes before it keeps its time.
    await writeFile(path.join(context, 'two.txt'), '2 changed\n');
    const changed = await buildIt({ context, cacheDir });
    expect(cachedSteps(changed.result).ran).toEqual(['COPY two.txt /']);
    const changedTimes = (changed.result.config.history ?? []).map((entry) => entry.created);
    expect(changedTimes.slice(0, 3)).toEqual(times.slice(0, 3));
    expect(changedTimes[3]! > times[3]!).toBe(true);
    expect(changed.result.config.created).toBe(changedTimes[3]);
  });
});

describe('build: outputs', () => {
  it('writes an OCI archive and a docker archive that skopeo reads', async () => {
    if (!haveTools) return;
    const context = writeTree(await dir(), { Dockerfile: 'FROM scratch\nCOPY f /f\n', f: 'x\n' });
    const out = await dir();
    const { result } = await buildIt({
      context,
      tags: ['example/app:2'],
      outputs: [
        { type: 'oci-archive', dest: path.join(out, 'image.oci.tar') },
        { type: 'docker', dest: path.join(out, 'image.docker.tar') },
      ],
    });
    const oci = JSON.parse((await run('skopeo', ['inspect', `oci-archive:${path.join(out, 'image.oci.tar')}:2`])).stdout) as { Digest: string };
    expect(oci.Digest).toBe(result.digest);
    const docker = JSON.parse((await run('skopeo', ['inspect', `docker-archive:${path.join(out, 'image.docker.tar')}`])).stdout) as { Layers: string[] };
    expect(docker.Layers).toHaveLength(1);
    const manifest = JSON.parse((await run('tar', ['-xOf', path.join(out, 'image.docker.tar'), 'manifest.json'])).stdout) as Array<{ RepoTags: string[] }>;
    expect(manifest[0].RepoTags).toEqual(['example/app:2']);
  });
});
