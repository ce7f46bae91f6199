import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ContentStore } from '../../src/cache/index.js';
import { pullImage, RegistryClient, RegistryErrorCode } from '../../src/registry/index.js';
import { registryToolsAvailable, type LayoutImage } from '../fixtures/registry-image.js';
import type { RegistryProxy } from '../fixtures/registry-proxy.js';
import type { RegistryServer } from '../fixtures/registry-server.js';
import { tempDirs } from '../fixtures/temp-dir.js';
import { useProxiedRegistry } from '../fixtures/proxied-registry.js';

const available = registryToolsAvailable('registry faults');
const tempDir = tempDirs('registry-faults');
const fast = { retry: { retries: 3, initialDelayMs: 5, maxDelayMs: 20 } };

/** Every file under the store's blobs/ and tmp/. */
async function storedFiles(store: ContentStore): Promise<string[]> {
  const entries = await readdir(store.root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(store.root, path.join(entry.parentPath, entry.name)))
    .filter((file) => file.startsWith('blobs') || file.startsWith('tmp'));
}

describe.skipIf(!available)('registry failures between client and registry', () => {
  const servers = useProxiedRegistry(tempDir, { withBusybox: true });
  let registry: RegistryServer;
  let proxy: RegistryProxy;
  let image: LayoutImage;
  let layer: { digest: string; size: number };

  beforeAll(() => {
    ({ registry, proxy } = servers);
    image = servers.busybox!;
    layer = [...image.manifest.layers].sort((a, b) => b.size - a.size)[0];
  });
  beforeEach(() => {
    delete proxy.faults.corruptBlob;
    delete proxy.faults.dropBlob;
  });
  const openStore = async (): Promise<ContentStore> => ContentStore.open({ root: await tempDir(), durable: false });

  it('rejects a corrupted blob with a digest mismatch and keeps nothing of it', async () => {
    const store = await openStore();
    proxy.faults.corruptBlob = layer.digest;
    const failure = await pullImage(`${proxy.host}/busybox`, { store, client: new RegistryClient(fast), concurrency: 1 }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: RegistryErrorCode.DigestMismatch, registry: proxy.host });
    expect((failure as Error).message).toContain(layer.digest);
    expect((failure as Error).message).toContain('nothing was kept');
    expect(await store.hasBlob(layer.digest)).toBe(false);
    expect((await storedFiles(store)).filter((file) => file.startsWith('tmp'))).toEqual([]);
    await store.close();
  });

  it('resumes a blob with a Range request after the connection drops once', async () => {
    const store = await openStore();
    const before = proxy.requests.length;
    proxy.faults.dropBlob = { digest: layer.digest, afterBytes: Math.floor(layer.size / 2), times: 1 };
    const pulled = await pullImage(`${proxy.host}/busybox`, { store, client: new RegistryClient(fast) });
    expect(pulled.layers.map((l) => l.digest)).toContain(layer.digest);
    expect(await store.blobSize(layer.digest)).toBe(layer.size);
    const layerGets = proxy.requests.slice(before).filter((request) => request.method === 'GET' && request.url.endsWith(layer.digest));
    expect(layerGets).toHaveLength(2);
    expect(layerGets[1].range).toMatch(/^bytes=\d+-$/);
    expect(layerGets[1].status).toBe(206);
    expect((await store.verify()).corrupt).toEqual([]);
    await store.close();
  });

  it('fails clearly when the connection always drops mid-blob, leaving no partial file', async () => {
    const store = await openStore();
    proxy.faults.dropBlob = { digest: layer.digest, afterBytes: 1000, times: Number.POSITIVE_INFINITY };
    const failure = await pullImage(`${proxy.host}/busybox`, { store, client: new RegistryClient(fast), concurrency: 1 }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: RegistryErrorCode.Unreachable, registry: proxy.host });
    expect((failure as Error).message).toMatch(new RegExp(`downloading blob ${layer.digest} .* failed after 4 attempts`));
    expect(await store.hasBlob(layer.digest)).toBe(false);
    expect((await storedFiles(store)).filter((file) => file.startsWith('tmp'))).toEqual([]);
    await store.close();
  });

  it('says the registry is unreachable when nothing listens', async () => {
    await proxy.stop();
    const client = new RegistryClient({ retry: { retries: 1, initialDelayMs: 5, maxDelayMs: 10 } });
    const failure = await client.getManifest({ registry: proxy.host, repository: 'busybox', tag: 'latest' }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: RegistryErrorCode.Unreachable, registry: proxy.host });
    expect((failure as Error).message).toMatch(/cannot reach registry 127\.0\.0\.1:\d+ for 127\.0\.0\.1:\d+\/busybox:latest: .*ECONNREFUSED/);
  });
});
