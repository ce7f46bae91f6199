import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeTree } from '../fixtures/file-tree.js';
import { compress, layerEntries, tarArchive } from './add-support.js';
import { builder, cachedSteps } from './build-support.js';

const { dir, run: buildIt } = builder('add-url');

const lastModified = 1_650_000_000;
let helloContent = 'hello from the server\n';
let archiveBytes: Buffer<ArrayBufferLike> = Buffer.alloc(0);
const requests = new Map<string, number>();
let server: Server;
let base = '';

function sha256(text: string | Buffer): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

beforeAll(async () => {
  archiveBytes = compress(await tarArchive([{ name: 'inside.txt', content: 'packed\n' }]), 'gzip');
  server = createServer((request, response) => {
    const url = request.url ?? '';
    requests.set(url, (requests.get(url) ?? 0) + 1);
    if (url === '/files/hello.txt') {
      response.writeHead(200, { 'last-modified': new Date(lastModified * 1000).toUTCString(), 'content-type': 'text/plain' });
      response.end(helloContent);
    } else if (url === '/files/app.tar.gz') {
      response.writeHead(200, { 'content-type': 'application/gzip' });
      response.end(archiveBytes);
    } else if (url === '/private/hello.txt') {
      const expected = `Basic ${Buffer.from('user:secret').toString('base64')}`;
      response.writeHead(request.headers.authorization === expected ? 200 : 401);
      response.end(request.headers.authorization === expected ? 'private\n' : '');
    } else {
      response.writeHead(404);
      response.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

beforeEach(() => {
  helloContent = 'hello from the server\n';
  requests.clear();
});

async function buildUrl(dockerfile: string, cacheDir?: string) {
  const context = writeTree(await dir(), { Dockerfile: dockerfile });
  const layout = path.join(await dir(), 'layout');
  const built = await buildIt({ context, cacheDir, outputs: [{ type: 'oci-layout', dest: layout }] });
  return { ...built, layout, context };
}

describe('ADD of an http(s) URL', () => {
  it('downloads into a directory destination as the URL’s last segment: 0600, root, Last-Modified time', async () => {
    const { result, layout } = await buildUrl(`FROM scratch\nADD --checksum=${sha256(helloContent)} ${base}/files/hello.txt /downloads/\n`);
    const entries = await layerEntries(layout, result);
    expect(entries.get('downloads/hello.txt')).toMatchObject({ type: 'file', mode: 0o600, uid: 0, gid: 0, mtime: lastModified, content: helloContent });
  });

  it('writes the file itself at a destination without a trailing slash, with --chmod and --chown', async () => {
    const { result, layout } = await buildUrl(`FROM scratch\nADD --chmod=0755 --chown=1000:1000 ${base}/files/hello.txt /opt/renamed\n`);
    const entries = await layerEntries(layout, result);
    expect(entries.get('opt/renamed')).toMatchObject({ type: 'file', mode: 0o755, uid: 1000, gid: 1000, content: helloContent });
    expect(entries.has('opt/renamed/hello.txt')).toBe(false);
  });

  it('does not unpack a remote archive, unless --unpack=true', async () => {
    const kept = await buildUrl(`FROM scratch\nADD ${base}/files/app.tar.gz /d/\n`);
    expect((await layerEntries(kept.layout, kept.result)).get('d/app.tar.gz')?.type).toBe('file');
    const unpacked = await buildUrl(`FROM scratch\nADD --unpack=true ${base}/files/app.tar.gz /d/\n`);
    const entries = await layerEntries(unpacked.layout, unpacked.result);
    expect(entries.get('d/inside.txt')?.content).toBe('packed\n');
    expect(entries.has('d/app.tar.gz')).toBe(false);
  });

  it('refuses a wrong checksum with expected and actual digests, keeping nothing', async () => {
    const cacheDir = await dir();
    const wrong = sha256('something else');
    const failure = await buildUrl(`FROM scratch\nADD --checksum=${wrong} ${base}/files/hello.txt /d/\n`, cacheDir).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'ADD_CHECKSUM_MISMATCH', message: expect.stringContaining(`got ${sha256(helloContent)}, expected ${wrong}`) });
    expect(await readdir(path.join(cacheDir, 'tmp'))).toEqual([]);
  });

  it('names the URL, without its credentials, when the server answers an error status', async () => {
    const url = `http://user:secret@127.0.0.1:${new URL(base).port}/files/missing.txt`;
    const failure = await buildUrl(`FROM scratch\nADD ${url} /d/\n`).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'ADD_DOWNLOAD_FAILED', message: expect.stringContaining(`${base}/files/missing.txt`) });
    expect((failure as Error).message).toMatch(/404/);
    expect((failure as Error).message.replace(/^Dockerfile:2:1: ADD \S+ \/d\/: /, '')).not.toContain('secret');
  });

  it('sends credentials from the URL as Basic authorization', async () => {
    const { result, layout } = await buildUrl(`FROM scratch\nADD http://user:secret@127.0.0.1:${new URL(base).port}/private/hello.txt /p/\n`);
    expect((await layerEntries(layout, result)).get('p/hello.txt')?.content).toBe('private\n');
  });

  it('with --checksum, a rebuild is a cache hit that does not contact the server', async () => {
    const cacheDir = await dir();
    const dockerfile = `FROM scratch\nADD --checksum=${sha256(helloContent)} ${base}/files/hello.txt /d/\n`;
    await buildUrl(dockerfile, cacheDir);
    expect(requests.get('/files/hello.txt')).toBe(1);
    const again = await buildUrl(dockerfile, cacheDir);
    expect(cachedSteps(again.result).ran).toEqual([]);
    expect(requests.get('/files/hello.txt')).toBe(1);
  });

  it('without --checksum, downloads each build: unchanged content is CACHED, changed content runs again', async () => {
    const cacheDir = await dir();
    const dockerfile = `FROM scratch\nADD ${base}/files/hello.txt /d/\n`;
    const first = await buildUrl(dockerfile, cacheDir);
    expect(cachedSteps(first.result).cached).toEqual([]);
    const second = await buildUrl(dockerfile, cacheDir);
    expect(cachedSteps(second.result).ran).toEqual([]);
    expect(requests.get('/files/hello.txt')).toBe(2);
    helloContent = 'changed on the server\n';
    const third = await buildUrl(dockerfile, cacheDir);
    expect(cachedSteps(third.result).cached).toEqual([]);
    expect((await layerEntries(third.layout, third.result)).get('d/hello.txt')?.content).toBe('changed on the server\n');
    expect(await readdir(path.join(cacheDir, 'tmp'))).toEqual([]);
  });

  it('refuses git sources, and a checksum on a local source', async () => {
    await expect(buildUrl('FROM scratch\nADD https://github.com/moby/buildkit.git#v0.12.0 /src/\n')).rejects.toMatchObject({ code: 'REMOTE_SOURCE_UNSUPPORTED' });
    await expect(buildUrl('FROM scratch\nADD git@github.com:moby/buildkit.git /src/\n')).rejects.toMatchObject({ code: 'REMOTE_SOURCE_UNSUPPORTED' });
    await expect(buildUrl(`FROM scratch\nADD --checksum=${sha256('x')} Dockerfile /d/\n`)).rejects.toMatchObject({ code: 'ADD_INVALID_CHECKSUM' });
  });
});
