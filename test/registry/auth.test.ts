import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentStore } from '../../src/cache/index.js';
import { pullImage, pushImage, RegistryClient, RegistryErrorCode } from '../../src/registry/index.js';
import { useBasicAuthRegistry } from '../fixtures/auth-registry.js';
import { run } from '../fixtures/tools.js';
import { busyboxLayoutImage, registryToolsAvailable, skopeoPush, type LayoutImage } from '../fixtures/registry-image.js';
import { startRegistry, type RegistryServer } from '../fixtures/registry-server.js';
import { startTokenServer, type TokenServer } from '../fixtures/token-server.js';
import { tempDirs } from '../fixtures/temp-dir.js';

const available = registryToolsAvailable('registry auth');
const tempDir = tempDirs('registry-auth');
const fast = { retry: { initialDelayMs: 5, maxDelayMs: 20 } };
const username = 'builder';
const password = 'correct-horse-battery-staple';
const wrongPassword = 'hunter2-wrong-secret';

/** The error's message, its JSON and its string form hold none of the secrets. */
function expectNoSecret(error: unknown, secrets: string[]): void {
  const texts = [(error as Error).message, JSON.stringify(error), String(error), (error as Error).stack ?? ''];
  for (const secret of secrets) {
    for (const text of texts) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(Buffer.from(`${username}:${secret}`).toString('base64'));
    }
  }
}

describe.skipIf(!available)('registry auth', () => {
  let image: LayoutImage;
  beforeAll(async () => {
    image = (await busyboxLayoutImage())!;
  });
  const openStore = async (): Promise<ContentStore> => ContentStore.open({ root: await tempDir(), durable: false });

  describe('htpasswd basic auth', () => {
    const servers = useBasicAuthRegistry(tempDir, { username, password });
    let registry: RegistryServer;
    beforeAll(() => {
      registry = servers.registry;
    });

    it('pulls and pushes with credentials given by the API', async () => {
      const store = await openStore();
      const client = new RegistryClient({ ...fast, credentials: { [registry.host]: { username, password } } });
      await client.ping(registry.host);
      const pulled = await pullImage(`${registry.host}/busybox`, { store, client });
      expect(pulled.manifestDescriptor.digest).toBe(image.manifestDescriptor.digest);
      const pushed = await pushImage({ store, client, references: `${registry.host}/pushed/busybox:1`, descriptor: pulled.manifestDescriptor });
      expect(pushed.digest).toBe(image.manifestDescriptor.digest);
      const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', '--creds', `${username}:${password}`, `docker://${registry.host}/pushed/busybox:1`]);
      expect((JSON.parse(stdout) as { Digest: string }).Digest).toBe(image.manifestDescriptor.digest);
      await store.close();
    });

    it('finds credentials in ~/.docker/config.json and in REGISTRY_AUTH_FILE', async () => {
      const home = await tempDir();
      await mkdir(path.join(home, '.docker'));
      await writeFile(path.join(home, '.docker', 'config.json'), JSON.stringify({ auths: { [`http://${registry.host}/v2/`]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } } }));
      const store = await openStore();
      const fromDocker = new RegistryClient({ ...fast, authFiles: { env: {}, homeDir: home } });
      expect((await pullImage(`${registry.host}/busybox`, { store, client: fromDocker })).manifestDescriptor.digest).toBe(image.manifestDescriptor.digest);

      const authFile = path.join(await tempDir(), 'auth.json');
      await writeFile(authFile, JSON.stringify({ auths: { [`${registry.host}/busybox`]: { username, password } } }));
      const fromAuthFile = new RegistryClient({ ...fast, authFiles: { env: { REGISTRY_AUTH_FILE: authFile }, homeDir: await tempDir() } });
      expect((await fromAuthFile.getManifest({ registry: registry.host, repository: 'busybox', tag: 'latest' })).descriptor.digest).toBe(image.manifestDescriptor.digest);
      await store.close();
    });

    it('fails clearly with bad credentials, and the error holds no secret', async () => {
      const store = await openStore();
      const client = new RegistryClient({ ...fast, credentials: { [registry.host]: { username, password: wrongPassword } } });
      const failure = await pullImage(`${registry.host}/busybox`, { store, client }).catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: RegistryErrorCode.Unauthorized, registry: registry.host, status: 401 });
      expect((failure as Error).message).toMatch(/credentials were rejected/);
      expect((failure as Error).message).toContain(`${registry.host}/busybox:latest`);
      expectNoSecret(failure, [wrongPassword]);
      expect(await store.blobSize(image.manifestDescriptor.digest)).toBeUndefined();
      await store.close();
    });

    it('says when no credentials are configured', async () => {
      const failure = await new RegistryClient(fast).getManifest({ registry: registry.host, repository: 'busybox', tag: 'latest' }).catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: RegistryErrorCode.Unauthorized });
      expect((failure as Error).message).toMatch(/no credentials are configured/);
    });
  });

  describe('token auth (distribution behind a token server of the tests)', () => {
    let registry: RegistryServer;
    let tokens: TokenServer;
    const service = 'build-image-test-registry';
    const issuer = 'build-image-test-issuer';
    beforeAll(async () => {
      const dir = await tempDir();
      tokens = await startTokenServer({ dir, username, password, service, issuer });
      registry = await startRegistry({ dir, token: { realm: tokens.realm, service, issuer, rootCertBundle: tokens.certificate } });
      await skopeoPush(image, `${registry.host}/busybox:latest`, `${username}:${password}`);
    });
    afterAll(async () => {
      await registry?.stop();
      await tokens?.stop();
    });

    it('pulls with a bearer token, caching it per scope, and pushes with a push-scoped one', async () => {
      const store = await openStore();
      const client = new RegistryClient({ ...fast, credentials: { [registry.host]: { username, password } } });
      const before = tokens.requests.length;
      const pulled = await pullImage(`${registry.host}/busybox`, { store, client });
      expect(pulled.layers.map((layer) => layer.digest)).toEqual(image.manifest.layers.map((layer) => layer.digest));
      const pullTokens = tokens.requests.slice(before);
      expect(pullTokens).toEqual([{ scopes: ['repository:busybox:pull'], authenticated: true }]);

      const pushed = await pushImage({ store, client, references: `${registry.host}/team/busybox:v1`, descriptor: pulled.manifestDescriptor, mountFrom: `${registry.host}/busybox` });
      expect(pushed.digest).toBe(image.manifestDescriptor.digest);
      const scopes = tokens.requests.slice(before + 1).map((request) => request.scopes.join(' '));
      expect(scopes).toContain('repository:team/busybox:pull,push repository:busybox:pull');
      const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', '--creds', `${username}:${password}`, `docker://${registry.host}/team/busybox:v1`]);
      expect((JSON.parse(stdout) as { Digest: string }).Digest).toBe(image.manifestDescriptor.digest);
      await store.close();
    });

    it('fails clearly when the token server rejects the credentials, without the secret', async () => {
      const client = new RegistryClient({ ...fast, credentials: { [registry.host]: { username, password: wrongPassword } } });
      const failure = await client.getManifest({ registry: registry.host, repository: 'busybox', tag: 'latest' }).catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: RegistryErrorCode.Unauthorized, registry: registry.host });
      expect((failure as Error).message).toMatch(/token server of 127\.0\.0\.1:\d+ refused a token for 127\.0\.0\.1:\d+\/busybox:latest .*credentials were rejected/);
      expectNoSecret(failure, [wrongPassword]);
    });
  });
});
