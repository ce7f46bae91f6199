import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { allowsPlainHttp, RegistryClient, RegistryErrorCode } from '../../src/registry/index.js';

/** A scripted registry: each request gets the next answer of `handler`; the requests are recorded. */
async function scripted(handler: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void): Promise<{ host: string; seen: Array<{ url: string; authorization?: string; body: string }> }> {
  const seen: Array<{ url: string; authorization?: string; body: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', authorization: req.headers.authorization, body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'0'.repeat(64)}`, size: 2 }, layers: [] });
const fast = { retry: { retries: 3, initialDelayMs: 1, maxDelayMs: 5 } };

describe('registry transport', () => {
  it('retries 5xx and 429 answers with backoff, then succeeds', async () => {
    const statuses = [503, 429, 502];
    const registry = await scripted((req, _body, res) => {
      const status = statuses.shift();
      if (status) {
        res.writeHead(status, status === 429 ? { 'Retry-After': '0' } : {});
        res.end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' });
      res.end(manifest);
    });
    const fetched = await new RegistryClient(fast).getManifest({ registry: registry.host, repository: 'a', tag: 'latest' });
    expect(fetched.descriptor.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(registry.seen.filter((r) => r.url === '/v2/a/manifests/latest')).toHaveLength(4);
  });

  it('gives up after the retries with a clear error', async () => {
    const registry = await scripted((_req, _body, res) => {
      res.writeHead(500);
      res.end();
    });
    const failure = await new RegistryClient(fast).getManifest({ registry: registry.host, repository: 'a', tag: 'latest' }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: RegistryErrorCode.Unreachable, status: 500 });
  });

  it('rejects a manifest whose bytes do not match the digest asked for', async () => {
    const registry = await scripted((_req, _body, res) => {
      res.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' });
      res.end(manifest);
    });
    const failure = await new RegistryClient(fast).getManifest({ registry: registry.host, repository: 'a', digest: `sha256:${'1'.repeat(64)}` }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: RegistryErrorCode.DigestMismatch });
  });

  it('exchanges an identity token for bearer tokens, caches them per scope, and never leaks them', async () => {
    let tokenRequests = 0;
    const auth = await scripted((req, body, res) => {
      tokenRequests++;
      const form = new URLSearchParams(body);
      const ok = req.method === 'POST' && form.get('grant_type') === 'refresh_token' && form.get('refresh_token') === 'refresh-secret-123' && form.get('service') === 'svc';
      res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' });
      res.end(ok ? JSON.stringify({ access_token: `access-secret-${form.get('scope')}`, expires_in: 300 }) : '{}');
    });
    const registry = await scripted((req, _body, res) => {
      if (!req.headers.authorization?.startsWith('Bearer access-secret-')) {
        res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${auth.host}/token",service="svc",scope="repository:a:pull"` });
        res.end();
        return;
      }
      if (req.url === '/v2/denied/manifests/latest') {
        // A registry echoing the token in its error must not get it into our message.
        res.writeHead(403, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'DENIED', message: `token ${req.headers.authorization} may not` }] }));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' });
      res.end(manifest);
    });
    const client = new RegistryClient({ ...fast, credentials: { [registry.host]: { identityToken: 'refresh-secret-123' } } });
    await client.getManifest({ registry: registry.host, repository: 'a', tag: 'latest' });
    await client.getManifest({ registry: registry.host, repository: 'a', tag: 'latest' });
    expect(tokenRequests).toBe(1);
    await client.getManifest({ registry: registry.host, repository: 'b', tag: 'latest' });
    expect(tokenRequests).toBe(2);
    const failure = await client.getManifest({ registry: registry.host, repository: 'denied', tag: 'latest' }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: RegistryErrorCode.Denied, status: 403 });
    const text = `${String(failure)} ${JSON.stringify(failure)}`;
    expect(text).toContain('DENIED');
    expect(text).not.toContain('access-secret');
    expect(text).not.toContain('refresh-secret-123');
  });

  it('allows plain http only for loopback registries and those named insecure', () => {
    expect(allowsPlainHttp('localhost:5000', [])).toBe(true);
    expect(allowsPlainHttp('127.0.0.1:5000', [])).toBe(true);
    expect(allowsPlainHttp('[::1]:5000', [])).toBe(true);
    expect(allowsPlainHttp('registry.lan:5000', [])).toBe(false);
    expect(allowsPlainHttp('registry.lan:5000', ['registry.lan'])).toBe(true);
    expect(allowsPlainHttp('registry.lan:5000', ['registry.lan:5001'])).toBe(false);
  });

  it('uses https for other registries', async () => {
    let used: string | undefined;
    const client = new RegistryClient({
      retry: { retries: 0 },
      fetch: (async (input: string | URL | Request) => {
        used = String(input);
        throw new TypeError('fetch failed');
      }) as typeof fetch,
    });
    await client.ping('registry.example:5000').catch(() => undefined);
    expect(used).toBe('https://registry.example:5000/v2/');
  });
});
