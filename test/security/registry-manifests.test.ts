/**
 * A malicious registry: a small node:http server on 127.0.0.1 speaking just enough of the distribution API to serve
 * lies (wrong media types, sizes and digests that do not match, a config that claims a million layers). pullImage
 * refuses each with a typed error, reads only a bounded amount, and keeps nothing unverified in the store.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentStore } from '../../src/cache/index.js';
import { ImageError, MediaType } from '../../src/image/index.js';
import { pullImage, RegistryClient, RegistryError } from '../../src/registry/index.js';
import { useSandboxes } from './support.js';

const sandbox = useSandboxes('registry');
const MiB = 1024 * 1024;

const digestOf = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

/** What the server answers for one path: bytes with headers, or an endless body. */
type Answer = { body: Buffer | 'endless'; headers?: Record<string, string> };

/** The hostile registry: answers are set per test; it counts what it sent. */
class HostileRegistry {
  readonly answers = new Map<string, Answer>();
  sent = 0;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((request, response) => this.answer(request.url ?? '', request.method ?? 'GET', response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private answer(url: string, method: string, response: ServerResponse): void {
    if (url === '/v2/') {
      response.writeHead(200).end('{}');
      return;
    }
    const found = this.answers.get(url.replace(/\?.*$/, ''));
    if (!found) {
      response.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'unknown' }] }));
      return;
    }
    if (found.body === 'endless') {
      response.writeHead(200, found.headers);
      const chunk = Buffer.alloc(64 * 1024, 0x7b);
      const pump = (): void => {
        while (!response.destroyed && this.sent < 512 * MiB) {
          this.sent += chunk.length;
          if (!response.write(chunk)) {
            response.once('drain', pump);
            return;
          }
        }
        response.end();
      };
      response.on('close', () => response.removeAllListeners('drain'));
      pump();
      return;
    }
    response.writeHead(200, { 'Content-Length': String(found.body.length), ...found.headers });
    this.sent += found.body.length;
    response.end(method === 'HEAD' ? undefined : found.body);
  }
}

/** A valid one-layer image; `tweak` edits the documents before they are served. */
function image(tweak: { manifest?: (m: Record<string, unknown>) => void; config?: Record<string, unknown> } = {}) {
  const layer = Buffer.from('not really a tar, but nobody unpacks it here');
  const config = json({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [digestOf(layer)] }, ...tweak.config });
  const manifestValue: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: digestOf(config), size: config.length },
    layers: [{ mediaType: MediaType.OciLayer, digest: digestOf(layer), size: layer.length }],
  };
  tweak.manifest?.(manifestValue);
  return { layer, config, manifest: json(manifestValue), manifestValue };
}

describe('a malicious registry', () => {
  const registry = new HostileRegistry();
  let host: string;
  beforeAll(async () => {
    host = await registry.start();
  });
  afterAll(() => registry.stop());

  /** Serves the image under `evil:latest`; `answers` override single paths. */
  function serve(served: ReturnType<typeof image>, overrides: Record<string, Answer> = {}): void {
    registry.answers.clear();
    registry.sent = 0;
    registry.answers.set('/v2/evil/manifests/latest', { body: served.manifest, headers: { 'Content-Type': MediaType.OciManifest, 'Docker-Content-Digest': digestOf(served.manifest) } });
    registry.answers.set(`/v2/evil/blobs/${digestOf(served.config)}`, { body: served.config });
    registry.answers.set(`/v2/evil/blobs/${digestOf(served.layer)}`, { body: served.layer });
    for (const [url, answer] of Object.entries(overrides)) registry.answers.set(url, answer);
  }

  /** Pulls `evil:latest` into a store in a sandbox; returns the failure and the sandbox. */
  async function pull(): Promise<{ error: Error & { code?: string }; storeFiles: string[]; expectOutsideUntouched: () => Promise<void> }> {
    const box = await sandbox(['store']);
    const store = await ContentStore.open({ root: box.dir('store'), durable: false });
    const client = new RegistryClient({ retry: { retries: 1, initialDelayMs: 1, maxDelayMs: 2 } });
    const error = await pullImage(`${host}/evil:latest`, { store, client, concurrency: 1 }).then(
      () => new Error('the pull succeeded'),
      (failure: unknown) => failure as Error & { code?: string },
    );
    await store.close();
    const storeFiles = (await readdir(box.dir('store'), { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => path.relative(box.dir('store'), path.join(entry.parentPath, entry.name)));
    return { error, storeFiles, expectOutsideUntouched: () => box.expectOutsideUntouched() };
  }

  function expectTyped(error: Error & { code?: string }, code: string, mentions: RegExp): void {
    expect(error instanceof RegistryError || error instanceof ImageError, String(error)).toBe(true);
    expect({ code: error.code, message: error.message }).toMatchObject({ code, message: expect.stringMatching(mentions) });
  }

  it('refuses a manifest served with a layer media type and a body that is not a manifest', async () => {
    const served = image();
    serve(served, { '/v2/evil/manifests/latest': { body: served.layer, headers: { 'Content-Type': MediaType.OciLayerGzip } } });
    const { error, expectOutsideUntouched } = await pull();
    expect(error).toBeInstanceOf(ImageError);
    expect(error.code).toMatch(/^IMAGE_/);
    expect(error.message).toMatch(/manifest .*evil:latest/);
    await expectOutsideUntouched();
  });

  it('refuses a manifest whose own mediaType is not a manifest type', async () => {
    const served = image({ manifest: (m) => void (m.mediaType = MediaType.OciLayerGzip) });
    serve(served, { '/v2/evil/manifests/latest': { body: served.manifest, headers: { 'Content-Type': MediaType.OciManifest } } });
    const { error } = await pull();
    expectTyped(error, 'IMAGE_INVALID_MANIFEST', /is not an image manifest/);
  });

  it('refuses a manifest whose bytes do not match the Docker-Content-Digest the registry states', async () => {
    const served = image();
    serve(served, { '/v2/evil/manifests/latest': { body: served.manifest, headers: { 'Content-Type': MediaType.OciManifest, 'Docker-Content-Digest': digestOf('something else') } } });
    const { error, storeFiles } = await pull();
    expectTyped(error, 'REGISTRY_DIGEST_MISMATCH', /has digest sha256:[0-9a-f]{64}, not sha256:[0-9a-f]{64} as the registry stated/);
    expect(storeFiles.filter((file) => file.startsWith('blobs/'))).toEqual([]);
  });

  it('refuses an endless manifest body after 16 MiB', async () => {
    serve(image(), { '/v2/evil/manifests/latest': { body: 'endless', headers: { 'Content-Type': MediaType.OciManifest } } });
    const { error } = await pull();
    expectTyped(error, 'REGISTRY_PROTOCOL', /sent more than the 16777216 bytes accepted for a document/);
    expect(registry.sent).toBeLessThan(64 * MiB);
  });

  it('refuses a layer whose content does not match its digest, keeping nothing of it', async () => {
    const served = image();
    const forged = Buffer.from(served.layer);
    forged[0] ^= 1;
    serve(served, { [`/v2/evil/blobs/${digestOf(served.layer)}`]: { body: forged } });
    const { error, storeFiles } = await pull();
    expectTyped(error, 'REGISTRY_DIGEST_MISMATCH', /is not what its descriptor says.*nothing was kept/);
    expect(storeFiles.some((file) => file.endsWith(digestOf(served.layer).slice(7)))).toBe(false);
  });

  it('stops reading a layer that is larger than its descriptor says (an endless body)', async () => {
    const served = image();
    serve(served, { [`/v2/evil/blobs/${digestOf(served.layer)}`]: { body: 'endless' } });
    const { error, storeFiles } = await pull();
    expectTyped(error, 'REGISTRY_DIGEST_MISMATCH', /more than \d+ bytes|size/);
    expect(registry.sent).toBeLessThan(64 * MiB);
    expect(storeFiles.filter((file) => file.startsWith('tmp/'))).toEqual([]);
  });

  it('refuses a config that claims 10^6 layers before downloading it', async () => {
    const million = Array.from({ length: 1_000_000 }, (_, i) => `sha256:${i.toString(16).padStart(64, '0')}`);
    const served = image({ config: { rootfs: { type: 'layers', diff_ids: million } } });
    expect(served.config.length).toBeGreaterThan(16 * MiB);
    serve(served);
    const { error } = await pull();
    expectTyped(error, 'REGISTRY_PROTOCOL', new RegExp(`config sha256:[0-9a-f]{64} of .*evil:latest is ${served.config.length} bytes, more than the 16777216 accepted`));
    expect(registry.sent).toBeLessThan(MiB);
  });

  it('refuses a config whose diff IDs do not match the manifest layers (200,000 against 1)', async () => {
    const many = Array.from({ length: 200_000 }, (_, i) => `sha256:${i.toString(16).padStart(64, '0')}`);
    const served = image({ config: { rootfs: { type: 'layers', diff_ids: many } } });
    expect(served.config.length).toBeLessThan(16 * MiB);
    serve(served);
    const { error } = await pull();
    expectTyped(error, 'REGISTRY_PROTOCOL', /the manifest has 1 layers but the config lists 200000 diff IDs/);
  });

  it('refuses a manifest descriptor whose size lies about the config (it says 10 bytes)', async () => {
    const served = image({ manifest: (m) => void ((m.config as { size: number }).size = 10) });
    serve(served);
    const { error } = await pull();
    expectTyped(error, 'REGISTRY_DIGEST_MISMATCH', /more than 10 bytes|size/);
  });
});
