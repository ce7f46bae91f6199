import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BuildOptions, ProgressEvent } from '../../src/builder/index.js';
import { busyboxImage } from '../fixtures/busybox-image.js';
import { writeTree } from '../fixtures/file-tree.js';
import { run, toolsAvailable, which } from '../fixtures/tools.js';
import { listLayer } from '../layers/helpers.js';
import { readLayoutBlob } from '../support/oci-layout.js';
import { builder, cachedSteps } from './build-support.js';
import { isRoot, rootlessUnsupported, runTestFileInUserNamespace } from './rootless-support.js';

/**
 * RUN end to end: real busybox base, real executors (crun, runc when installed, and the built-in chroot one),
 * layers read back entry by entry, images unpacked with umoci and run again with runc. Without root the whole
 * file runs again as root of a user namespace with the user's subordinate ids mapped, where a rootless build
 * runs (see 'RUN without root' at the end), and the tests return early out here.
 */
const { dir, run: buildIt } = builder('run-build');
const haveTools = toolsAvailable('RUN end-to-end', ['crun', 'umoci', 'unshare'], ['crun', 'umoci', 'util-linux']);
const executors = (['crun', 'runc', 'chroot'] as const).filter((name) => name === 'chroot' || which(name) !== undefined);

async function context(files: Record<string, string>): Promise<string> {
  return writeTree(await dir(), files);
}

async function withBusybox(options: BuildOptions): Promise<{ result: Awaited<ReturnType<typeof buildIt>>['result']; events: ProgressEvent[]; layout: string } | undefined> {
  const busybox = isRoot ? await busyboxImage() : undefined;
  if (!busybox || !haveTools || !isRoot) return undefined;
  const layout = path.join(await dir(), 'layout');
  const built = await buildIt({ buildContexts: { busybox: busybox.reference }, outputs: [{ type: 'oci-layout', dest: layout }], tags: ['t:1'], ...options });
  return { ...built, layout };
}

async function layerEntries(layout: string, digest: string): Promise<Map<string, { type: string; mode: number; uid: number; content: string }>> {
  const bytes = await readLayoutBlob(layout, digest);
  const entries = new Map<string, { type: string; mode: number; uid: number; content: string }>();
  for (const { header, content } of await listLayer(bytes)) {
    entries.set(header.name.replace(/\/$/, ''), { type: header.type, mode: header.mode, uid: header.uid, content: content.toString('utf8') });
  }
  return entries;
}

function logText(events: ProgressEvent[]): string {
  return events.flatMap((event) => (event.type === 'step-log' ? [event.text] : [])).join('\n');
}

describe.each(executors)('RUN with the %s executor', (executor) => {
  it('creates, changes and deletes files: a layer with whiteouts and an opaque directory', async () => {
    const built = await withBusybox({
      executor,
      context: await context({
        Dockerfile: [
          'FROM busybox',
          'RUN mkdir -p /data/old && echo one > /data/old/a && echo keep > /data/keep',
          'RUN echo changed > /data/keep && rm /etc/group && rm -rf /data/old && mkdir /data/old && echo two > /data/old/b && echo new > /new.txt',
          '',
        ].join('\n'),
      }),
    });
    if (!built) return;
    const layers = built.result.manifest.layers;
    const last = await layerEntries(built.layout, layers[layers.length - 1].digest);
    expect(last.get('new.txt')?.content).toBe('new\n');
    expect(last.get('data/keep')?.content).toBe('changed\n');
    expect(last.has('etc/.wh.group')).toBe(true);
    expect(last.get('data/old/b')?.content).toBe('two\n');
    // The replaced directory hides what the layer below had in it.
    expect(last.has('data/old/.wh..wh..opq') || last.has('data/old/.wh.a')).toBe(true);
    expect([...last.keys()].some((name) => name.startsWith('proc/') || name.startsWith('dev/') || name === 'etc/hosts' || name === 'etc/resolv.conf')).toBe(false);

    const bundle = path.join(await dir(), 'bundle');
    await run('umoci', ['unpack', '--image', `${built.layout}:1`, bundle]);
    const rootfs = path.join(bundle, 'rootfs');
    expect(await readFile(path.join(rootfs, 'data/keep'), 'utf8')).toBe('changed\n');
    await expect(readFile(path.join(rootfs, 'data/old/a'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(readFile(path.join(rootfs, 'etc/group'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('runs with the stage environment, ARGs, WORKDIR and USER', async () => {
    const built = await withBusybox({
      executor,
      buildArgs: { VERSION: '2.1' },
      context: await context({
        Dockerfile: [
          'FROM busybox',
          'ARG VERSION',
          'ENV APP=demo',
          'WORKDIR /work',
          'RUN echo "$APP $VERSION $(pwd) $(id -u):$(id -g)" > /work/root.txt',
          'USER nobody',
          'RUN echo "$(id -u):$(id -g) $HOME" > /tmp/user.txt',
          '',
        ].join('\n'),
      }),
    });
    if (!built) return;
    const layers = built.result.manifest.layers;
    const rootStep = await layerEntries(built.layout, layers[layers.length - 2].digest);
    expect(rootStep.get('work/root.txt')?.content).toBe('demo 2.1 /work 0:0\n');
    const userStep = await layerEntries(built.layout, layers[layers.length - 1].digest);
    expect(userStep.get('tmp/user.txt')).toMatchObject({ uid: 65534 });
    expect(userStep.get('tmp/user.txt')?.content).toMatch(/^65534:65534 /);
    const history = built.result.config.history ?? [];
    expect(history.some((entry) => entry.created_by === 'RUN |1 VERSION=2.1 /bin/sh -c echo "$APP $VERSION $(pwd) $(id -u):$(id -g)" > /work/root.txt # buildkit')).toBe(true);
  });

  it('fails with the line, the command, the exit code and the last output lines', async () => {
    const ctx = await context({ Dockerfile: 'FROM busybox\nRUN echo first line && echo to stderr >&2 && exit 3\n' });
    const busybox = isRoot ? await busyboxImage() : undefined;
    if (!busybox || !haveTools || !isRoot) return;
    const failure = buildIt({ executor, context: ctx, buildContexts: { busybox: busybox.reference } });
    await expect(failure).rejects.toMatchObject({ code: 'RUN_FAILED' });
    const message = await failure.catch((error: Error) => error.message);
    expect(message).toContain('Dockerfile:2:1: RUN echo first line');
    expect(message).toContain('did not complete successfully: exit code: 3');
    expect(message).toContain('first line');
    expect(message).toContain('to stderr');
  });

  it('runs heredocs: a script through the shell, and a #! file directly', async () => {
    const built = await withBusybox({
      executor,
      context: await context({
        Dockerfile: ['FROM busybox', 'RUN <<EOF', 'echo one > /one.txt', 'echo two >> /one.txt', 'EOF', 'RUN <<EOF', '#!/bin/sh -e', 'echo "$0" > /script.txt', 'EOF', ''].join('\n'),
      }),
    });
    if (!built) return;
    const layers = built.result.manifest.layers;
    expect((await layerEntries(built.layout, layers[layers.length - 2].digest)).get('one.txt')?.content).toBe('one\ntwo\n');
    expect((await layerEntries(built.layout, layers[layers.length - 1].digest)).get('script.txt')?.content).toBe('/dev/pipes/EOF\n');
  });
});

describe('RUN mounts, network and cache', () => {
  it('keeps a cache mount across builds, and never puts it in the layer', async () => {
    const ctx = await context({ Dockerfile: 'FROM busybox\nRUN --mount=type=cache,target=/var/cache/app,id=app echo run >> /var/cache/app/log && wc -l < /var/cache/app/log > /count\n' });
    const cacheDir = await dir();
    const first = await withBusybox({ context: ctx, cacheDir });
    if (!first) return;
    const second = await withBusybox({ context: ctx, cacheDir, noCache: true });
    const entries = await layerEntries(second!.layout, second!.result.manifest.layers.at(-1)!.digest);
    expect(entries.get('count')?.content.trim()).toBe('2');
    expect([...entries.keys()].some((name) => name.startsWith('var/cache/app'))).toBe(false);
  });

  it('binds the context read-only, a stage read-write (changes dropped), and a tmpfs', async () => {
    const built = await withBusybox({
      context: await context({
        Dockerfile: [
          'FROM busybox AS tools',
          'RUN echo tool > /tool.txt',
          'FROM busybox',
          'RUN --mount=type=bind,source=src,target=/src cat /src/in.txt > /from-context.txt && (touch /src/x 2>/dev/null && echo writable || echo read-only) >> /from-context.txt',
          'RUN --mount=type=bind,from=tools,target=/t,rw cat /t/tool.txt > /from-stage.txt && echo scribble > /t/tool.txt',
          'RUN --mount=type=tmpfs,target=/scratch echo temp > /scratch/t && cat /scratch/t > /from-tmpfs.txt',
          '',
        ].join('\n'),
        'src/in.txt': 'input\n',
      }),
    });
    if (!built) return;
    const layers = built.result.manifest.layers;
    expect((await layerEntries(built.layout, layers.at(-3)!.digest)).get('from-context.txt')?.content).toBe('input\nread-only\n');
    expect((await layerEntries(built.layout, layers.at(-2)!.digest)).get('from-stage.txt')?.content).toBe('tool\n');
    const tmpfsLayer = await layerEntries(built.layout, layers.at(-1)!.digest);
    expect(tmpfsLayer.get('from-tmpfs.txt')?.content).toBe('temp\n');
    expect(tmpfsLayer.has('scratch/t')).toBe(false);
  });

  it('mounts secrets as files and variables, outside the layer, the history and the cache key', async () => {
    const secretFile = path.join(await dir(), 'token');
    await writeFile(secretFile, 'first-secret');
    const ctx = await context({ Dockerfile: 'FROM busybox\nRUN --mount=type=secret,id=token --mount=type=secret,id=api,env=API_KEY cat /run/secrets/token > /seen && echo "$API_KEY" >> /seen\n' });
    const cacheDir = await dir();
    const first = await withBusybox({ context: ctx, cacheDir, secrets: { token: { file: secretFile }, api: { value: 'env-secret' } } });
    if (!first) return;
    const layer = await layerEntries(first.layout, first.result.manifest.layers.at(-1)!.digest);
    expect(layer.get('seen')?.content).toBe('first-secretenv-secret\n');
    expect([...layer.keys()].some((name) => name.startsWith('run/secrets'))).toBe(false);
    expect(JSON.stringify(first.result.config.history)).not.toContain('first-secret');
    await writeFile(secretFile, 'second-secret');
    const second = await withBusybox({ context: ctx, cacheDir, secrets: { token: { file: secretFile }, api: { value: 'other' } } });
    expect(cachedSteps(second!.result).ran).toEqual([]);
    const missing = withBusybox({ context: await context({ Dockerfile: 'FROM busybox\nRUN --mount=type=secret,id=nope,required cat /run/secrets/nope\n' }) });
    await expect(missing).rejects.toMatchObject({ code: 'SECRET_NOT_FOUND' });
  });

  it('has no network by default, and needs the entitlement for --network=host', async () => {
    const built = await withBusybox({ context: await context({ Dockerfile: 'FROM busybox\nRUN cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " " > /interfaces\n' }) });
    if (!built) return;
    expect((await layerEntries(built.layout, built.result.manifest.layers.at(-1)!.digest)).get('interfaces')?.content).toBe('lo\n');
    await expect(withBusybox({ context: await context({ Dockerfile: 'FROM busybox\nRUN --network=host true\n' }) })).rejects.toMatchObject({ code: 'ENTITLEMENT_REQUIRED' });
    const host = await withBusybox({ allow: ['network.host'], context: await context({ Dockerfile: 'FROM busybox\nRUN --network=host cat /proc/net/dev | wc -l > /count\n' }) });
    expect(Number((await layerEntries(host!.layout, host!.result.manifest.layers.at(-1)!.digest)).get('count')?.content)).toBeGreaterThan(3);
  });

  it('starts no container on a rebuild with nothing changed, and reruns from a changed step on', async () => {
    const ctx = await context({ Dockerfile: 'FROM busybox\nRUN echo a > /a\nCOPY b.txt /b.txt\nRUN cat /b.txt > /c\n', 'b.txt': 'one\n' });
    const cacheDir = await dir();
    const first = await withBusybox({ context: ctx, cacheDir, sourceDateEpoch: 0 });
    if (!first) return;
    const again = await withBusybox({ context: ctx, cacheDir, sourceDateEpoch: 0 });
    expect(cachedSteps(again!.result).ran).toEqual([]);
    expect(logText(again!.events)).toBe('');
    expect(again!.result.digest).toBe(first.result.digest);
    await writeFile(path.join(ctx, 'b.txt'), 'two\n');
    const changed = await withBusybox({ context: ctx, cacheDir });
    expect(cachedSteps(changed!.result)).toEqual({ cached: ['RUN echo a > /a'], ran: ['COPY b.txt /b.txt', 'RUN cat /b.txt > /c'] });
  });

  it('builds an image whose files runc shows when it runs it', async () => {
    const built = await withBusybox({ context: await context({ Dockerfile: 'FROM busybox\nRUN echo "made by RUN" > /made.txt\nCMD ["cat", "/made.txt"]\n' }) });
    if (!built || which('runc') === undefined) return;
    const bundle = path.join(await dir(), 'bundle');
    await run('umoci', ['unpack', '--image', `${built.layout}:1`, bundle]);
    const configFile = path.join(bundle, 'config.json');
    const spec = JSON.parse(await readFile(configFile, 'utf8')) as { process: { terminal: boolean; args: string[] } };
    expect(spec.process.args).toEqual(['cat', '/made.txt']);
    spec.process.terminal = false;
    await writeFile(configFile, JSON.stringify(spec));
    const id = `build-image-test-${process.pid}`;
    const state = await dir();
    const output = await run('runc', ['--root', state, 'run', '--bundle', bundle, id]);
    expect(output.stdout).toBe('made by RUN\n');
  });
});

describe('RUN cancellation', () => {
  it('kills the container when the build is aborted, leaving no process, mount or run directory', async () => {
    const marker = `bi-abort-${process.pid}-${Date.now()}`;
    const ctx = await context({ Dockerfile: `FROM busybox\nRUN echo started && MARK=${marker} sleep 1000\n` });
    const cacheDir = await dir();
    const controller = new AbortController();
    const building = withBusybox({
      context: ctx,
      cacheDir,
      signal: controller.signal,
    });
    // Abort once the command has printed, i.e. the container runs.
    const started = Date.now();
    const { readdir } = await import('node:fs/promises');
    const sleeping = async (): Promise<boolean> => {
      for (const pid of await readdir('/proc').catch(() => [] as string[])) {
        if (!/^\d+$/.test(pid)) continue;
        const environ = await readFile(`/proc/${pid}/environ`).catch(() => Buffer.alloc(0));
        if (environ.toString('utf8').includes(marker)) return true;
      }
      return false;
    };
    const busybox = isRoot ? await busyboxImage() : undefined;
    if (!busybox || !haveTools || !isRoot) {
      controller.abort();
      await building.catch(() => undefined);
      return;
    }
    while (!(await sleeping()) && Date.now() - started < 20_000) await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await expect(building).rejects.toMatchObject({ code: 'BUILD_ABORTED' });
    expect(await sleeping()).toBe(false);
    const mounts = await readFile('/proc/self/mountinfo', 'utf8');
    expect(mounts).not.toContain(cacheDir);
    expect((await readdir(path.join(cacheDir, 'tmp'))).filter((name) => name.startsWith('run-'))).toEqual([]);
  });
});

describe.runIf(!isRoot)('RUN without root', () => {
  it('passes every test of this file as root of a user namespace with the subordinate ids mapped', async () => {
    if (rootlessUnsupported('RUN end-to-end without root') !== undefined) return;
    const { code, output } = await runTestFileInUserNamespace(fileURLToPath(import.meta.url), await dir());
    expect(code, output).toBe(0);
    expect(Number(/Tests\s+(\d+) passed/.exec(output)?.[1])).toBeGreaterThanOrEqual(15);
    expect(output).not.toContain('*** SKIPPED');
  }, 900_000);
});
