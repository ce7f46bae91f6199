import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ContentStore } from '../../src/cache/index.js';
import { pullImage, pushImage, RegistryClient, RegistryErrorCode, readResolution, type PushEvent } from '../../src/registry/index.js';
import { run } from '../fixtures/tools.js';
import { registryToolsAvailable, type LayoutImage } from '../fixtures/registry-image.js';
import type { RegistryProxy } from '../fixtures/registry-proxy.js';
import type { RegistryServer } from '../fixtures/registry-server.js';
import { tempDirs } from '../fixtures/temp-dir.js';
import { useProxiedRegistry } from '../fixtures/proxied-registry.js';
import { readLayoutIndex } from '../support/oci-layout.js';

const available = registryToolsAvailable('registry pull and push');
const tempDir = tempDirs('registry-pull-push');
const fast = { retry: { initialDelayMs: 5, maxDelayMs: 20 } };

describe.skipIf(!available)('pull and push against a registry without auth', () => {
  const servers = useProxiedRegistry(tempDir, { withBusybox: true });
  let registry: RegistryServer;
  let proxy: RegistryProxy;
  let image: LayoutImage;

  beforeAll(() => {
    ({ registry, proxy } = servers);
    image = servers.busybox!;
  });

  const openStore = async (): Promise<ContentStore> => ContentStore.open({ root: await tempDir(), durable: false });

  it('pulls manifest, config and layers into a fresh store, verified, and records the resolution', async () => {
    const store = await openStore();
    const client = new RegistryClient(fast);
    const pulled = await pullImage(`${registry.host}/busybox`, { store, client });
    expect(pulled.reference).toEqual({ registry: registry.host, repository: 'busybox', tag: 'latest' });
    expect(pulled.manifestDescriptor.digest).toBe(image.manifestDescriptor.digest);
    expect(pulled.configDescriptor.digest).toBe(image.manifest.config.digest);
    expect(pulled.layers.map((layer) => layer.digest)).toEqual(image.manifest.layers.map((layer) => layer.digest));
    for (const descriptor of [pulled.manifestDescriptor, pulled.configDescriptor, ...pulled.layers]) {
      expect(await store.blobSize(descriptor.digest)).toBe(descriptor.size);
    }
    expect(pulled.config.rootfs.diff_ids).toHaveLength(pulled.layers.length);
    const resolution = await readResolution(store.root, `${registry.host}/busybox:latest`, { os: 'linux', architecture: pulled.config.architecture });
    expect(resolution?.manifest.digest).toBe(image.manifestDescriptor.digest);
    expect((await store.verify()).corrupt).toEqual([]);
    await store.close();
  });

  it('skips blobs the store holds, and reuses a recent resolution without asking the registry', async () => {
    const store = await openStore();
    const platform = { os: 'linux', architecture: 'amd64' };
    const first = await pullImage(`${proxy.host}/busybox:latest`, { store, client: new RegistryClient(fast), platform });
    const before = proxy.requests.length;
    const events: string[] = [];
    const again = await pullImage(`${proxy.host}/busybox:latest`, {
      store,
      client: new RegistryClient(fast),
      platform,
      resolutionMaxAgeMs: 60_000,
      onProgress: (event) => events.push(event.type === 'blob' ? event.action : `resolved:${event.cached}`),
    });
    expect(again.resolutionReused).toBe(true);
    expect(again.manifestDescriptor).toEqual(first.manifestDescriptor);
    expect(proxy.requests.length).toBe(before);
    expect(events).toEqual(['resolved:true', ...Array(1 + first.layers.length).fill('present')]);
    // Without the reuse, the tag is resolved again but no blob is downloaded.
    const third = await pullImage(`${proxy.host}/busybox:latest`, { store, client: new RegistryClient(fast), platform });
    expect(third.resolutionReused).toBe(false);
    const blobGets = proxy.requests.slice(before).filter((request) => request.method === 'GET' && request.url.includes('/blobs/'));
    expect(blobGets).toEqual([]);
    await store.close();
  });

  it('fetches a manifest by digest (verified) and by tag with the Docker-Content-Digest, and HEADs it', async () => {
    const client = new RegistryClient(fast);
    const byTag = await client.getManifest({ registry: registry.host, repository: 'busybox', tag: 'latest' });
    expect(byTag.descriptor.digest).toBe(image.manifestDescriptor.digest);
    expect(byTag.registryDigest).toBe(image.manifestDescriptor.digest);
    const byDigest = await client.getManifest({ registry: registry.host, repository: 'busybox', digest: image.manifestDescriptor.digest });
    expect(byDigest.bytes.equals(byTag.bytes)).toBe(true);
    expect(await client.headManifest({ registry: registry.host, repository: 'busybox', tag: 'latest' })).toEqual(byTag.descriptor);
    expect(await client.headManifest({ registry: registry.host, repository: 'busybox', tag: 'nope' })).toBeUndefined();
  });

  it('says clearly when a tag or repository is missing', async () => {
    const store = await openStore();
    const failure = await pullImage(`${registry.host}/busybox:no-such-tag`, { store, client: new RegistryClient(fast) }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: RegistryErrorCode.NotFound, registry: registry.host, reference: `${registry.host}/busybox:no-such-tag` });
    expect((failure as Error).message).toContain(`${registry.host}/busybox:no-such-tag not found in registry ${registry.host}`);
    const missingRepo = await pullImage(`${registry.host}/nothing/here`, { store, client: new RegistryClient(fast) }).catch((error: unknown) => error);
    expect(missingRepo).toMatchObject({ code: RegistryErrorCode.NotFound });
    await store.close();
  });

  it('pushes back under other names (monolithic, then mounted, then already present) and skopeo reads the same digest', async () => {
    const store = await openStore();
    const client = new RegistryClient(fast);
    const pulled = await pullImage(`${registry.host}/busybox`, { store, client });
    const events: PushEvent[] = [];
    const result = await pushImage({
      store,
      client,
      references: [`${proxy.host}/copies/one:v1`, `${proxy.host}/copies/one:v2`, `${proxy.host}/copies/two:v1`],
      descriptor: pulled.manifestDescriptor,
      onProgress: (event) => events.push(event),
    });
    expect(result.digest).toBe(image.manifestDescriptor.digest);
    const blobEvents = (repository: string) => events.filter((e) => e.type === 'blob' && e.repository === repository).map((e) => (e as { action: string }).action);
    expect(blobEvents(`${proxy.host}/copies/one`).every((action) => action === 'uploaded')).toBe(true);
    expect(blobEvents(`${proxy.host}/copies/two`).every((action) => action === 'mounted')).toBe(true);
    expect(proxy.requests.some((r) => r.method === 'PATCH')).toBe(false);

    const again = await pushImage({ store, client, references: `${proxy.host}/copies/one:v3`, descriptor: pulled.manifestDescriptor, onProgress: (event) => events.push(event) });
    expect(again.references).toEqual([`${proxy.host}/copies/one:v3@${image.manifestDescriptor.digest}`]);
    expect(blobEvents(`${proxy.host}/copies/one`).slice(-1 - image.manifest.layers.length)).toEqual(Array(1 + image.manifest.layers.length).fill('exists'));

    for (const name of ['copies/one:v1', 'copies/one:v2', 'copies/two:v1']) {
      const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${registry.host}/${name}`]);
      expect((JSON.parse(stdout) as { Digest: string }).Digest).toBe(image.manifestDescriptor.digest);
    }
    const copy = path.join(await tempDir(), 'copy');
    await run('skopeo', ['copy', '--src-tls-verify=false', `docker://${registry.host}/copies/one:v1`, `oci:${copy}:v1`]);
    const index = await readLayoutIndex(copy);
    expect(index.manifests[0].digest).toBe(image.manifestDescriptor.digest);
    await store.close();
  });

  it('pushes large blobs in PATCH chunks when they pass the monolithic threshold', async () => {
    const store = await openStore();
    const client = new RegistryClient(fast);
    const pulled = await pullImage(`${registry.host}/busybox`, { store, client });
    const before = proxy.requests.length;
    const result = await pushImage({ store, client, references: `${proxy.host}/chunked:latest`, descriptor: pulled.manifestDescriptor, monolithicMaxSize: 1024, chunkSize: 256 * 1024 });
    expect(result.digest).toBe(image.manifestDescriptor.digest);
    const patches = proxy.requests.slice(before).filter((r) => r.method === 'PATCH');
    const largest = Math.max(...pulled.layers.map((layer) => layer.size));
    expect(patches.length).toBeGreaterThanOrEqual(Math.ceil(largest / (256 * 1024)));
    const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${registry.host}/chunked:latest`]);
    expect((JSON.parse(stdout) as { Digest: string }).Digest).toBe(image.manifestDescriptor.digest);
    // The registry verified each blob's digest on the closing PUT; a fresh pull checks them again.
    const fresh = await openStore();
    const back = await pullImage(`${registry.host}/chunked:latest`, { store: fresh, client });
    expect(back.layers).toEqual(pulled.layers);
    expect(await readdir(path.join(fresh.root, 'tmp'))).toEqual([]);
    await store.close();
    await fresh.close();
  });

  it('pushes a multi-platform index and pulls the manifest of the platform asked for', async () => {
    const store = await openStore();
    const client = new RegistryClient(fast);
    const pulled = await pullImage(`${registry.host}/busybox`, { store, client });
    const hostArchitecture = pulled.config.architecture;
    const otherArchitecture = hostArchitecture === 'arm64' ? 'amd64' : 'arm64';
    const otherConfig = Buffer.from(JSON.stringify({ ...pulled.config, architecture: otherArchitecture }));
    const otherConfigDigest = (await store.putBlob(otherConfig)).digest;
    const otherManifest = Buffer.from(JSON.stringify({ ...pulled.manifest, config: { ...pulled.manifest.config, digest: otherConfigDigest, size: otherConfig.length } }));
    const otherManifestDigest = (await store.putBlob(otherManifest)).digest;
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          { ...pulled.manifestDescriptor, platform: { os: 'linux', architecture: hostArchitecture } },
          { mediaType: pulled.manifestDescriptor.mediaType, digest: otherManifestDigest, size: otherManifest.length, platform: { os: 'linux', architecture: otherArchitecture } },
        ],
      }),
    );
    const indexDigest = (await store.putBlob(index)).digest;
    const indexDescriptor = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: indexDigest, size: index.length };
    const pushed = await pushImage({ store, client, references: `${registry.host}/multi:latest`, descriptor: indexDescriptor });
    expect(pushed.digest).toBe(indexDigest);
    const { stdout } = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/multi:latest`]);
    expect(Buffer.from(stdout).equals(index)).toBe(true);

    for (const [architecture, expected] of [
      [otherArchitecture, otherManifestDigest],
      [hostArchitecture, pulled.manifestDescriptor.digest],
    ]) {
      const fresh = await openStore();
      const chosen = await pullImage(`${registry.host}/multi`, { store: fresh, client, platform: { os: 'linux', architecture } });
      expect(chosen.root.digest).toBe(indexDigest);
      expect(chosen.manifestDescriptor.digest).toBe(expected);
      expect(chosen.config.architecture).toBe(architecture);
      await fresh.close();
    }
    const missing = await pullImage(`${registry.host}/multi`, { store, client, platform: { os: 'linux', architecture: 's390x' } }).catch((error: unknown) => error);
    expect(missing).toMatchObject({ code: RegistryErrorCode.PlatformNotFound });
    await store.close();
  });
});
