import { beforeAll, describe, expect, it } from 'vitest';
import { ContentStore } from '../../src/cache/index.js';
import { canonicalJsonBytes, MediaType, parseManifest, serializeManifest, type Descriptor } from '../../src/image/index.js';
import { pushBlob, RegistryClient, RegistryError, RegistryErrorCode } from '../../src/registry/index.js';
import type { LayerRecord } from '../../src/builder/layer-record.js';
import {
  cacheConfigMediaType,
  exportRemoteCache,
  openRemoteCaches,
  parseCacheOption,
  RemoteCacheError,
  RemoteCacheErrorCode,
  type RemoteStepSource,
  type StepCacheEntry,
} from '../../src/builder/remote-cache/index.js';
import { StepCache } from '../../src/builder/step-cache.js';
import type { RegistryProxy } from '../fixtures/registry-proxy.js';
import type { RegistryServer } from '../fixtures/registry-server.js';
import { writeTree } from '../fixtures/file-tree.js';
import { tempDirs } from '../fixtures/temp-dir.js';
import { toolsAvailable } from '../fixtures/tools.js';
import { builder, cachedSteps } from './build-support.js';
import { busyboxImage } from '../fixtures/busybox-image.js';
import { useProxiedRegistry } from '../fixtures/proxied-registry.js';

const available = toolsAvailable('registry cache', ['docker-registry'], ['docker-registry']);
const tempDir = tempDirs('remote-cache');
const fast = { retry: { initialDelayMs: 5, maxDelayMs: 20 } };

const key = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;

async function openStore(): Promise<ContentStore> {
  return ContentStore.open({ root: await tempDir(), durable: false });
}

/** A blob standing in for a layer: the step cache and the registry only see digests and sizes. */
async function fakeLayer(store: ContentStore, text: string): Promise<LayerRecord> {
  const written = await store.putBlob(Buffer.from(text));
  return { descriptor: { mediaType: MediaType.OciLayerGzip, digest: written.digest, size: written.size }, diffId: key(text.length + 1000) };
}

describe('parseCacheOption', () => {
  it('reads buildx syntax and a bare reference', () => {
    expect(parseCacheOption('type=registry,ref=localhost:5000/app:cache')).toEqual({ type: 'registry', ref: 'localhost:5000/app:cache' });
    expect(parseCacheOption('type=registry,ref=ghcr.io/o/app:cache,mode=max,oci-mediatypes=true')).toEqual({ type: 'registry', ref: 'ghcr.io/o/app:cache', mode: 'max' });
    expect(parseCacheOption('registry.example.com/app:cache')).toEqual({ type: 'registry', ref: 'registry.example.com/app:cache' });
  });

  it('refuses other cache types, bad modes, missing or digest refs and unknown attributes with a clear message', () => {
    const refused = (text: string): RemoteCacheError => {
      try {
        parseCacheOption(text);
      } catch (error) {
        expect(error).toBeInstanceOf(RemoteCacheError);
        expect((error as RemoteCacheError).code).toBe(RemoteCacheErrorCode.InvalidOption);
        return error as RemoteCacheError;
      }
      throw new Error(`accepted ${text}`);
    };
    expect(refused('type=local,dest=/tmp/cache').message).toContain('cache type "local" is not supported; only type=registry');
    expect(refused('type=gha').message).toContain('only type=registry');
    expect(refused('type=registry').message).toContain('ref=IMAGE is required');
    expect(refused('type=registry,ref=Bad/Name').message).toContain('must be lowercase');
    expect(refused(`type=registry,ref=localhost:5000/app@${key(1)}`).message).toContain('names a digest');
    expect(refused('type=registry,ref=x/y:z,mode=all').message).toContain('mode must be min or max');
    expect(refused('type=registry,ref=x/y:z,compression=zstd').message).toContain('unknown attribute "compression"');
    expect(refused('type=registry,ref=x/y:z,image-manifest=false').message).toContain('always an OCI image manifest');
  });
});

describe('StepCache with a remote source', () => {
  it('asks the source only on a local miss, records its answer locally and lists every entry it touched', async () => {
    const store = await openStore();
    const layer = await fakeLayer(store, 'remote layer');
    const asked: string[] = [];
    const remote: RemoteStepSource = {
      fetch: async (wanted) => {
        asked.push(wanted);
        return wanted === key(1) ? { layer: layer.descriptor, diffId: layer.diffId } : undefined;
      },
    };
    const cache = new StepCache(store, { remote });
    await cache.record(key(2), undefined, '2026-01-02T03:04:05Z');
    expect(await cache.lookup(key(2))).toEqual({ layer: undefined });
    expect(await cache.lookup(key(1))).toEqual({ layer });
    expect(await cache.lookup(key(3))).toBeUndefined();
    expect(asked).toEqual([key(1), key(3)]);
    expect(await new StepCache(store).lookup(key(1))).toEqual({ layer });
    expect(cache.touched).toEqual(
      new Map<string, StepCacheEntry>([
        [key(2), { layer: null, diffId: null }],
        [key(1), { layer: layer.descriptor, diffId: layer.diffId }],
      ]),
    );
    await store.close();
  });
});

describe.skipIf(!available)('registry cache against a registry', () => {
  const servers = useProxiedRegistry(tempDir);
  let registry: RegistryServer;
  let proxy: RegistryProxy;
  beforeAll(() => {
    ({ registry, proxy } = servers);
  });

  const blobGets = (from: number): string[] =>
    proxy.requests
      .slice(from)
      .filter((request) => request.method === 'GET' && request.url.includes('/blobs/'))
      .map((request) => request.url.slice(request.url.lastIndexOf('/') + 1));

  /** A store with a step cache that recorded three layers and one empty step, and an unrelated blob. */
  async function machineA(): Promise<{ store: ContentStore; cache: StepCache; layers: LayerRecord[] }> {
    const store = await openStore();
    const cache = new StepCache(store);
    const layers = [await fakeLayer(store, `one ${Math.random()}`), await fakeLayer(store, `two ${Math.random()}`), await fakeLayer(store, `three ${Math.random()}`)];
    for (const [index, layer] of layers.entries()) await cache.record(key(index + 1), layer, '2026-01-02T03:04:05Z');
    await cache.record(key(4), undefined, '2026-01-02T03:04:05Z');
    await fakeLayer(store, 'not in the cache');
    return { store, cache, layers };
  }

  it('exports the touched entries as one artifact, and an empty store downloads exactly the layer each hit names', async () => {
    // Each entry keeps the time its layer was made, across machines too.
    const recordedAt = '2026-01-02T03:04:05Z';
    const a = await machineA();
    const ref = `${proxy.host}/cache/app:buildcache`;
    const client = new RegistryClient(fast);
    const [exported] = await exportRemoteCache({ cacheTo: [{ type: 'registry', ref, mode: 'max' }] }, client, a.store, a.cache.touched, []);
    expect(exported).toMatchObject({ ref, keys: 4, layers: 3 });

    const fetched = await client.getManifest({ registry: proxy.host, repository: 'cache/app', tag: 'buildcache' });
    expect(fetched.descriptor.digest).toBe(exported.digest);
    const manifest = parseManifest(fetched.bytes);
    expect(manifest.artifactType).toBe(cacheConfigMediaType);
    expect(manifest.config.mediaType).toBe(cacheConfigMediaType);
    expect(manifest.layers.map((layer) => layer.digest).sort()).toEqual(a.layers.map((layer) => layer.descriptor.digest).sort());

    const b = await openStore();
    const warnings: string[] = [];
    const start = proxy.requests.length;
    const remote = await openRemoteCaches({ cacheFrom: [{ type: 'registry', ref }] }, new RegistryClient(fast), b, (message) => warnings.push(message));
    expect(warnings).toEqual([]);
    expect(blobGets(start)).toEqual([manifest.config.digest]);
    const cache = new StepCache(b, { remote });

    let mark = proxy.requests.length;
    expect(await cache.lookup(key(2))).toEqual({ layer: { ...a.layers[1], created: recordedAt } });
    expect(blobGets(mark)).toEqual([a.layers[1].descriptor.digest]);
    expect(await b.hasBlob(a.layers[1].descriptor.digest)).toBe(true);
    expect(await b.hasBlob(a.layers[0].descriptor.digest)).toBe(false);

    mark = proxy.requests.length;
    expect(await cache.lookup(key(2))).toEqual({ layer: { ...a.layers[1], created: recordedAt } });
    expect(await cache.lookup(key(4))).toEqual({ layer: undefined });
    expect(await cache.lookup(key(99))).toBeUndefined();
    expect(proxy.requests.length).toBe(mark);

    expect(await cache.lookup(key(1))).toEqual({ layer: { ...a.layers[0], created: recordedAt } });
    expect(await cache.lookup(key(3))).toEqual({ layer: { ...a.layers[2], created: recordedAt } });
    expect(blobGets(mark)).toEqual([a.layers[0].descriptor.digest, a.layers[2].descriptor.digest]);
    // The hits are local entries now: a build without --cache-from finds them.
    for (const [index, layer] of a.layers.entries()) expect(await new StepCache(b).lookup(key(index + 1))).toEqual({ layer: { ...layer, created: recordedAt } });
    expect((await b.verify()).corrupt).toEqual([]);
    await Promise.all([a.store.close(), b.close()]);
  });

  it('mode=min keeps the final image layers and the empty steps; a re-export HEAD-skips, another repository mounts', async () => {
    const a = await machineA();
    const client = new RegistryClient(fast);
    const first = `${proxy.host}/cache/min:1`;
    const [min] = await exportRemoteCache({ cacheTo: [{ type: 'registry', ref: first }] }, client, a.store, a.cache.touched, [a.layers[0], a.layers[2]]);
    expect(min).toMatchObject({ keys: 3, layers: 2 });

    let mark = proxy.requests.length;
    const [again] = await exportRemoteCache({ cacheTo: [{ type: 'registry', ref: first }] }, client, a.store, a.cache.touched, [a.layers[0], a.layers[2]]);
    expect(again.digest).toBe(min.digest);
    const uploads = (from: number) => proxy.requests.slice(from).filter((request) => request.method === 'POST' || request.method === 'PATCH' || (request.method === 'PUT' && request.url.includes('/blobs/')));
    expect(uploads(mark)).toEqual([]);

    mark = proxy.requests.length;
    const options = { cacheTo: [{ type: 'registry' as const, ref: `${proxy.host}/cache/other:1` }], cacheFrom: [{ type: 'registry' as const, ref: first }] };
    await exportRemoteCache(options, client, a.store, a.cache.touched, [a.layers[0], a.layers[2]]);
    // Both layers and the config (the same entries give the same config document) are mounted, none uploaded.
    const mounts = uploads(mark).filter((request) => request.url.includes('mount='));
    expect(mounts.map((request) => request.status)).toEqual([201, 201, 201]);
    expect(uploads(mark)).toHaveLength(3);
    await a.store.close();
  });

  it('warns about a missing ref and builds on without it', async () => {
    const store = await openStore();
    const warnings: string[] = [];
    const remote = await openRemoteCaches({ cacheFrom: [{ type: 'registry', ref: `${registry.host}/cache/none:nothing` }] }, new RegistryClient(fast), store, (message) => warnings.push(message));
    expect(remote).toBeUndefined();
    expect(warnings).toEqual([`cache ${registry.host}/cache/none:nothing was not found in the registry: its steps are not cached for this build`]);
    await store.close();
  });

  it('refuses a config corrupted on the way (keeping nothing), a malformed config and a ref that is not a cache', async () => {
    const a = await machineA();
    const client = new RegistryClient(fast);
    const ref = `${proxy.host}/cache/corrupt:1`;
    const [exported] = await exportRemoteCache({ cacheTo: [{ type: 'registry', ref, mode: 'max' }] }, client, a.store, a.cache.touched, []);
    const manifest = parseManifest((await client.getManifest({ registry: proxy.host, repository: 'cache/corrupt', digest: exported.digest })).bytes);

    const b = await openStore();
    proxy.faults.corruptBlob = manifest.config.digest;
    try {
      const failure = await openRemoteCaches({ cacheFrom: [{ type: 'registry', ref }] }, client, b, () => undefined).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(RegistryError);
      expect((failure as RegistryError).code).toBe(RegistryErrorCode.DigestMismatch);
      expect(await b.hasBlob(manifest.config.digest)).toBe(false);
    } finally {
      proxy.faults.corruptBlob = undefined;
    }

    // A well-transferred config that is not a cache document: a key that is no digest, a layer the manifest lacks.
    const pushDocument = async (repository: string, config: Buffer, configMediaType: string, layers: Descriptor[]): Promise<string> => {
      const written = await a.store.putBlob(config);
      const descriptor: Descriptor = { mediaType: configMediaType, digest: written.digest, size: written.size };
      const target = { registry: registry.host, repository, tag: '1' };
      for (const blob of [descriptor, ...layers]) await pushBlob(client, target, blob, a.store);
      const document = serializeManifest({ config: descriptor, layers, artifactType: configMediaType });
      await client.putManifest(target, document.bytes, MediaType.OciManifest, document.descriptor.digest);
      return `${registry.host}/${repository}:1`;
    };
    const refusal = async (ref: string): Promise<RemoteCacheError> => {
      const error = await openRemoteCaches({ cacheFrom: [{ type: 'registry', ref }] }, client, b, () => undefined).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RemoteCacheError);
      expect((error as RemoteCacheError).code).toBe(RemoteCacheErrorCode.InvalidCache);
      return error as RemoteCacheError;
    };
    const layer = a.layers[0];
    const badKey = await pushDocument('cache/bad-key', canonicalJsonBytes({ schemaVersion: 1, steps: { 'not-a-key': { layer: null, diffId: null } } }), cacheConfigMediaType, []);
    expect((await refusal(badKey)).message).toContain('a key that is not a sha256 digest');
    const unlisted = await pushDocument('cache/unlisted', canonicalJsonBytes({ schemaVersion: 1, steps: { [key(1)]: { layer: layer.descriptor, diffId: layer.diffId } } }), cacheConfigMediaType, []);
    expect((await refusal(unlisted)).message).toContain('which the manifest does not list');
    const notJson = await pushDocument('cache/not-json', Buffer.from('{"schemaVersion":1,'), cacheConfigMediaType, []);
    expect((await refusal(notJson)).message).toContain('is not valid JSON');
    const image = await pushDocument('cache/image', Buffer.from('{}'), MediaType.OciConfig, [layer.descriptor]);
    expect((await refusal(image)).message).toContain('is not a build-image cache');
    await Promise.all([a.store.close(), b.close()]);
  });
});

/**
 * End to end through build(): two machines (separate cache dirs) sharing only the registry. These need build.ts to
 * call openRemoteCaches before the stages run and exportRemoteCache after them.
 */
describe.skipIf(!available)('build with --cache-to and --cache-from', () => {
  // Fixed, so that the two machines' images (whose config has the build time otherwise) have one digest.
  const sourceDateEpoch = 1_700_000_000;
  const { dir, run: buildIt } = builder('remote-cache-build');
  const servers = useProxiedRegistry(tempDir);
  let registry: RegistryServer;
  let proxy: RegistryProxy;
  beforeAll(() => {
    ({ registry, proxy } = servers);
  });

  const blobGets = (from: number): string[] =>
    proxy.requests
      .slice(from)
      .filter((request) => request.method === 'GET' && request.url.includes('/blobs/'))
      .map((request) => request.url.slice(request.url.lastIndexOf('/') + 1));

  async function cacheConfigDigest(repository: string, tag: string): Promise<{ config: string; layers: string[] }> {
    const manifest = parseManifest((await new RegistryClient(fast).getManifest({ registry: registry.host, repository, tag })).bytes);
    return { config: manifest.config.digest, layers: manifest.layers.map((layer) => layer.digest).sort() };
  }

  it('FROM scratch and COPY: the second machine caches every step, copies nothing and downloads only the image layers', async () => {
    const context = writeTree(await dir(), {
      Dockerfile: 'FROM scratch\nCOPY a.txt /a.txt\nWORKDIR /app\nCOPY site/ /app/site/\nWORKDIR /\n',
      'a.txt': 'aaa\n',
      'site/index.html': '<p>hi</p>\n',
      'site/css/main.css': 'p {}\n',
    });
    const ref = `${proxy.host}/cache/scratch:main`;
    const first = await buildIt({ context, sourceDateEpoch, cacheTo: [{ type: 'registry', ref }] });
    expect(cachedSteps(first.result).cached).toEqual([]);

    const mark = proxy.requests.length;
    const second = await buildIt({ context, sourceDateEpoch, cacheFrom: [{ type: 'registry', ref }] });
    expect(cachedSteps(second.result)).toEqual({ cached: first.result.steps.map((step) => step.name), ran: [] });
    expect(second.events.filter((event) => event.type === 'step-cached')).toHaveLength(first.result.steps.length);
    expect(second.events.filter((event) => event.type === 'step-done' && event.step.name !== 'FROM scratch')).toEqual([]);
    expect(second.result.digest).toBe(first.result.digest);
    const cache = await cacheConfigDigest('cache/scratch', 'main');
    expect(cache.layers).toEqual(first.result.manifest.layers.map((layer) => layer.digest).sort());
    expect(blobGets(mark).sort()).toEqual([cache.config, ...cache.layers].sort());
  });

  it('RUN on busybox: the second machine starts no container and copies nothing', async () => {
    const busybox = await busyboxImage();
    if (!busybox || process.getuid?.() !== 0) return;
    const context = writeTree(await dir(), {
      Dockerfile: 'FROM busybox\nRUN echo built > /built.txt\nCOPY a.txt /a.txt\nRUN cat /a.txt >> /built.txt\n',
      'a.txt': 'aaa\n',
    });
    const ref = `${proxy.host}/cache/run:main`;
    const buildContexts = { busybox: busybox.reference };
    const first = await buildIt({ context, sourceDateEpoch, buildContexts, cacheTo: [{ type: 'registry', ref }] });
    expect(cachedSteps(first.result).cached).toEqual([]);
    const second = await buildIt({ context, sourceDateEpoch, buildContexts, cacheFrom: [{ type: 'registry', ref }] });
    expect(cachedSteps(second.result).ran).toEqual([]);
    expect(second.events.filter((event) => event.type === 'step-log')).toEqual([]);
    expect(second.result.digest).toBe(first.result.digest);
  });

  it('a multi-stage build without RUN: mode=max shares every stage, mode=min only the final image', async () => {
    const context = writeTree(await dir(), {
      Dockerfile: [
        'FROM scratch AS tools',
        'COPY tools/ /tools/',
        'FROM scratch AS assets',
        'WORKDIR /assets',
        'COPY assets/ ./',
        'FROM tools AS unused',
        'COPY missing /nowhere',
        'FROM scratch',
        'COPY --from=tools /tools/run.sh /bin/run.sh',
        'COPY --from=assets /assets/ /srv/',
        'COPY app.txt /app.txt',
        '',
      ].join('\n'),
      'tools/run.sh': '#!/bin/sh\necho run\n',
      'tools/extra.txt': 'only in the tools stage\n',
      'assets/logo.svg': '<svg/>\n',
      'app.txt': 'app\n',
    });
    const max = `${proxy.host}/cache/multi:max`;
    const min = `${proxy.host}/cache/multi:min`;
    const first = await buildIt({ context, sourceDateEpoch, cacheTo: [{ type: 'registry', ref: max, mode: 'max' }, { type: 'registry', ref: min }] });
    const stageLayers = first.result.steps.flatMap((step) => (step.layer ? [step.layer.digest] : []));
    expect((await cacheConfigDigest('cache/multi', 'max')).layers).toEqual([...new Set(stageLayers)].sort());
    expect((await cacheConfigDigest('cache/multi', 'min')).layers).toEqual(first.result.manifest.layers.map((layer) => layer.digest).sort());

    // With mode=max every step of every stage is a hit; the layers of the stages COPY --from reads are needed too.
    let mark = proxy.requests.length;
    const second = await buildIt({ context, sourceDateEpoch, cacheFrom: [{ type: 'registry', ref: max }] });
    expect(cachedSteps(second.result).ran).toEqual([]);
    expect(second.result.steps).toHaveLength(first.result.steps.length);
    expect(second.result.digest).toBe(first.result.digest);
    const maxCache = await cacheConfigDigest('cache/multi', 'max');
    expect(blobGets(mark).sort()).toEqual([maxCache.config, ...maxCache.layers].sort());

    // With mode=min the other stages run again (their files are read, not downloaded), the final stage's steps hit.
    mark = proxy.requests.length;
    const third = await buildIt({ context, sourceDateEpoch, cacheFrom: [{ type: 'registry', ref: min }] });
    // Independent stages run concurrently, so their steps finish in either order.
    const thirdSteps = cachedSteps(third.result);
    expect(thirdSteps.cached).toEqual(['COPY --from=tools /tools/run.sh /bin/run.sh', 'COPY --from=assets /assets/ /srv/', 'COPY app.txt /app.txt']);
    expect([...thirdSteps.ran].sort()).toEqual(first.result.steps.filter((step) => step.stage !== 'stage-3').map((step) => step.name).sort());
    expect(third.result.digest).toBe(first.result.digest);
    const minCache = await cacheConfigDigest('cache/multi', 'min');
    expect(blobGets(mark).sort()).toEqual([minCache.config, ...minCache.layers].sort());
  });
});
