import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, BuildStepError, type BuildOptions, type BuildResult, type ProgressEvent } from '../../src/builder/index.js';
import { useBasicAuthRegistry } from '../fixtures/auth-registry.js';
import { writeTree } from '../fixtures/file-tree.js';
import { useProxiedRegistry } from '../fixtures/proxied-registry.js';
import { registryToolsAvailable, skopeoPush, type LayoutImage } from '../fixtures/registry-image.js';
import type { RegistryProxy } from '../fixtures/registry-proxy.js';
import type { RegistryServer } from '../fixtures/registry-server.js';
import { run } from '../fixtures/tools.js';
import { readLayoutIndex } from '../support/oci-layout.js';
import { runCli } from '../support/run-cli.js';
import { builder, cachedSteps } from './build-support.js';

/**
 * The builder against a real docker-registry on 127.0.0.1 (behind the recording proxy where requests are counted):
 * FROM pulls the busybox base that skopeo pushed, the result is pushed (base layers mounted from the base's
 * repository) and read back with skopeo; tag resolutions are reused within their age, `pull` re-resolves a moved
 * tag; basic auth with credentials from the API and from ~/.docker/config.json, never shown.
 */
const available = registryToolsAvailable('builder with registries');
const { dir: tempDir, run: buildAt } = builder('registry-build');
/** Timestamps fixed, so that equal inputs give equal digests. */
const sourceDateEpoch = 1_700_000_000;
const buildWith = (options: BuildOptions) => buildAt({ sourceDateEpoch, ...options });

const appDockerfile = (base: string): string => `# an app on a registry base
FROM ${base}
ENV GREETING=hello
LABEL org.example.suite=registry-build
COPY hello.txt /srv/hello.txt
WORKDIR /srv
CMD ["cat", "/srv/hello.txt"]
`;

async function appContext(base: string): Promise<string> {
  return writeTree(await tempDir(), { 'hello.txt': 'hello from the registry test\n', Dockerfile: appDockerfile(base) });
}

async function skopeoDigest(reference: string, credentials?: string): Promise<string> {
  const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', ...(credentials ? ['--creds', credentials] : []), `docker://${reference}`]);
  return (JSON.parse(stdout) as { Digest: string }).Digest;
}

function layerDigests(result: BuildResult): string[] {
  return result.manifest.layers.map((layer) => layer.digest);
}

function ranAfterFrom(events: ProgressEvent[]): string[] {
  return events.filter((event) => event.type === 'step-done' && !event.step.name.startsWith('FROM')).map((event) => (event as { step: { name: string } }).step.name);
}

/** A build that must fail: its error and the progress events it emitted. */
async function buildError(options: BuildOptions): Promise<{ error: Error; events: ProgressEvent[] }> {
  const events: ProgressEvent[] = [];
  const failure = await build({ cacheDir: await tempDir(), outputs: [{ type: 'oci-layout', dest: path.join(await tempDir(), 'out') }], ...options, onProgress: (event) => events.push(event) }).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(failure instanceof Error)) throw new Error('the build succeeded');
  return { error: failure, events };
}

describe.skipIf(!available)('builds from and to a registry without auth', () => {
  const servers = useProxiedRegistry(tempDir, { withBusybox: true });
  let registry: RegistryServer;
  let proxy: RegistryProxy;
  let busybox: LayoutImage;

  beforeAll(() => {
    ({ registry, proxy } = servers);
    busybox = servers.busybox!;
  });

  const baseLayers = (): string[] => busybox.manifest.layers.map((layer) => layer.digest);
  const manifestRequests = (since: number) => proxy.requests.slice(since).filter((request) => request.url.includes('/manifests/'));

  describe('FROM a registry image, pushed under two tags, then rebuilt', () => {
    let cacheDir: string;
    let context: string;
    let first: BuildResult;

    it('builds on the pulled base and pushes the digest it built under both tags, mounting the base layers', async () => {
      cacheDir = await tempDir();
      context = await appContext(`${proxy.host}/busybox`);
      const tags = [`${proxy.host}/app:1`, `${proxy.host}/app:2`];
      const before = proxy.requests.length;
      const { result } = await buildWith({ context, cacheDir, tags, outputs: [{ type: 'registry' }] });
      first = result;
      const mounted = proxy.requests.slice(before).filter((request) => request.method === 'POST' && request.url.includes('mount=') && request.status === 201);
      expect(mounted).toHaveLength(baseLayers().length);
      expect(layerDigests(result).slice(0, baseLayers().length)).toEqual(baseLayers());
      expect(result.manifest.layers).toHaveLength(baseLayers().length + 1); // COPY (the WORKDIR exists already)
      expect(result.config.config?.Env).toContain('GREETING=hello');
      expect(result.config.config?.Labels).toMatchObject({ 'org.example.suite': 'registry-build' });
      expect(result.config.config?.Cmd).toEqual(['cat', '/srv/hello.txt']);

      for (const tag of tags) expect(await skopeoDigest(tag)).toBe(result.digest);
      const copy = path.join(await tempDir(), 'copy');
      await run('skopeo', ['copy', '--src-tls-verify=false', `docker://${tags[0]}`, `oci:${copy}:1`]);
      const index = await readLayoutIndex(copy);
      expect(index.manifests.map((manifest) => manifest.digest)).toEqual([result.digest]);
    });

    it('rebuilds fully from cache, reusing the tag resolution without asking the registry', async () => {
      const before = proxy.requests.length;
      const { result, events } = await buildWith({ context, cacheDir, outputs: [{ type: 'oci-layout', dest: path.join(await tempDir(), 'out') }] });
      expect(result.digest).toBe(first.digest);
      expect(cachedSteps(result)).toEqual({ cached: ['COPY hello.txt /srv/hello.txt', 'WORKDIR /srv'], ran: [] });
      expect(ranAfterFrom(events)).toEqual([]);
      expect(manifestRequests(before)).toEqual([]);
    });
  });

  it('reuses the resolution of a moved tag until `pull` asks again, which reruns every step after FROM', async () => {
    await skopeoPush(busybox, `${registry.host}/moving:latest`);
    const cacheDir = await tempDir();
    const context = await appContext(`${proxy.host}/moving`);
    const { result: before } = await buildWith({ context, cacheDir });
    expect(layerDigests(before).slice(0, baseLayers().length)).toEqual(baseLayers());

    // Another image under the same tag: busybox with one more layer, pushed by our builder.
    const moved = writeTree(await tempDir(), { 'extra.txt': 'the tag moved\n', Dockerfile: `FROM ${registry.host}/busybox\nCOPY extra.txt /extra.txt\n` });
    const { result: movedImage } = await buildWith({ context: moved, tags: [`${registry.host}/moving:latest`], outputs: [{ type: 'registry' }] });
    expect(await skopeoDigest(`${registry.host}/moving:latest`)).toBe(movedImage.digest);

    const requestsBefore = proxy.requests.length;
    const { result: reused } = await buildWith({ context, cacheDir });
    expect(reused.digest).toBe(before.digest);
    expect(cachedSteps(reused).ran).toEqual([]);
    expect(manifestRequests(requestsBefore)).toEqual([]);

    const { result: pulled, events } = await buildWith({ context, cacheDir, pull: true });
    expect(manifestRequests(requestsBefore).length).toBeGreaterThan(0);
    expect(pulled.digest).not.toBe(before.digest);
    expect(layerDigests(pulled).slice(0, movedImage.manifest.layers.length)).toEqual(layerDigests(movedImage));
    expect(cachedSteps(pulled)).toEqual({ cached: [], ran: ['COPY hello.txt /srv/hello.txt', 'WORKDIR /srv'] });
    expect(ranAfterFrom(events)).toEqual(['COPY hello.txt /srv/hello.txt', 'WORKDIR /srv']);

    // The new resolution is the one reused from now on.
    const { result: after } = await buildWith({ context, cacheDir });
    expect(after.digest).toBe(pulled.digest);
    expect(cachedSteps(after).ran).toEqual([]);
  });

  it('pulls a base named by digest', async () => {
    const digest = busybox.manifestDescriptor.digest;
    const { result } = await buildWith({ context: await appContext(`${proxy.host}/busybox@${digest}`) });
    expect(layerDigests(result).slice(0, baseLayers().length)).toEqual(baseLayers());
    const tagged = await buildWith({ context: await appContext(`${proxy.host}/busybox:latest@${digest}`) });
    expect(tagged.result.digest).toBe(result.digest);
  });

  it('fails with a typed error naming the image and the Dockerfile line when the tag is missing', async () => {
    const missing = `${registry.host}/busybox:no-such-tag`;
    const { error: failure } = await buildError({ context: await appContext(missing) });
    expect(failure).toBeInstanceOf(BuildStepError);
    expect(failure).toMatchObject({ code: 'REGISTRY_NOT_FOUND', location: { file: 'Dockerfile', range: { start: { line: 2 } } } });
    expect(failure.message).toMatch(/^Dockerfile:2:1: FROM /);
    expect(failure.message).toContain(missing);
  });

  it('copies --from a registry image', async () => {
    const context = writeTree(await tempDir(), { Dockerfile: `FROM scratch\nCOPY --from=${proxy.host}/busybox /bin/busybox /x\n` });
    const { result } = await buildWith({ context, outputs: [{ type: 'local', dest: path.join(await tempDir(), 'fs') }] });
    const local = result.outputs[0] as { dest: string };
    const copied = await readFile(path.join(local.dest, 'x'));
    expect(copied.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  });

  describe('the CLI', () => {
    it('--push -t pushes and prints the pushed name', async () => {
      const name = `${registry.host}/cli:1`;
      const context = await appContext(`${proxy.host}/busybox`);
      const { code, stdout, stderr } = await runCli(['--push', '-t', name, '--progress', 'plain', '--cache-dir', await tempDir(), context]);
      expect(stderr).not.toContain('ERROR');
      expect(code).toBe(0);
      const digest = /^digest: (sha256:[a-f0-9]{64})$/m.exec(stdout)?.[1];
      expect(digest).toBeDefined();
      expect(stdout).toContain(`pushed ${name}`);
      expect(await skopeoDigest(name)).toBe(digest);
    });

    it('builds COPY --from=registry image', async () => {
      const context = writeTree(await tempDir(), { Dockerfile: `FROM ${proxy.host}/busybox\nCOPY --from=${proxy.host}/busybox /bin/busybox /x\n` });
      const out = path.join(await tempDir(), 'fs');
      const { code, stderr } = await runCli(['--progress', 'plain', '--cache-dir', await tempDir(), '--output', `type=local,dest=${out}`, context]);
      expect(stderr).not.toContain('ERROR');
      expect(code).toBe(0);
      const copied = await readFile(path.join(out, 'x'));
      expect(copied.equals(await readFile(path.join(out, 'bin', 'busybox')))).toBe(true);
    });
  });
});

describe.skipIf(!available)('builds with a registry behind basic auth', () => {
  const username = 'builder';
  const password = 'registry-build-secret-9f3a';
  const wrongPassword = 'registry-build-wrong-7c1e';
  const servers = useBasicAuthRegistry(tempDir, { username, password });
  let registry: RegistryServer;
  let busybox: LayoutImage;

  beforeAll(() => {
    ({ registry, busybox } = servers);
  });

  const secrets = [password, wrongPassword, Buffer.from(`${username}:${password}`).toString('base64'), Buffer.from(`${username}:${wrongPassword}`).toString('base64')];
  function expectNoSecret(...values: unknown[]): void {
    for (const value of values) {
      const texts = value instanceof Error ? [value.message, value.stack ?? '', JSON.stringify(value), String(value), String(value.cause)] : [JSON.stringify(value)];
      for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret);
    }
  }

  it('pulls and pushes with credentials given to build()', async () => {
    const name = `${registry.host}/app:api`;
    const { result, events } = await buildWith({
      context: await appContext(`${registry.host}/busybox`),
      tags: [name],
      outputs: [{ type: 'registry' }],
      registry: { credentials: { [registry.host]: { username, password } } },
    });
    expect(layerDigests(result).slice(0, busybox.manifest.layers.length)).toEqual(busybox.manifest.layers.map((layer) => layer.digest));
    expect(await skopeoDigest(name, `${username}:${password}`)).toBe(result.digest);
    expectNoSecret(events, result);
  });

  it('pulls and pushes with credentials from ~/.docker/config.json', async () => {
    const home = await tempDir();
    await mkdir(path.join(home, '.docker'));
    await writeFile(path.join(home, '.docker', 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } } }));
    const name = `${registry.host}/app:config-json`;
    const { result, events } = await buildWith({
      context: await appContext(`${registry.host}/busybox`),
      tags: [name],
      outputs: [{ type: 'registry' }],
      registry: { authFiles: { env: {}, homeDir: home } },
    });
    expect(await skopeoDigest(name, `${username}:${password}`)).toBe(result.digest);
    expectNoSecret(events);
  });

  it('fails on rejected credentials (pull and push) without showing them', async () => {
    const { error: pullFailure, events } = await buildError({
      context: await appContext(`${registry.host}/busybox`),
      registry: { credentials: { [registry.host]: { username, password: wrongPassword } } },
    });
    expect(pullFailure).toMatchObject({ code: 'REGISTRY_UNAUTHORIZED' });
    expect(pullFailure.message).toMatch(/^Dockerfile:2:1: FROM /);

    const { error: pushFailure, events: pushEvents } = await buildError({
      context: writeTree(await tempDir(), { Dockerfile: 'FROM scratch\nLABEL a=b\n' }),
      tags: [`${registry.host}/app:rejected`],
      outputs: [{ type: 'registry' }],
      registry: { credentials: { [registry.host]: { username, password: wrongPassword } } },
    });
    expect(pushFailure).toMatchObject({ code: 'REGISTRY_UNAUTHORIZED' });
    expectNoSecret(pullFailure, pushFailure, events, pushEvents);
  });
});
