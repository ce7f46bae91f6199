import { createReadStream } from 'node:fs';
import { chmod, lutimes, mkdir, readFile, readdir, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestOf, OciLayoutDirectory, serializeImageConfig, serializeManifest, type Descriptor, type ImageConfig } from '../../src/image/index.js';
import { parseSourceDateEpoch, treeChanges, writeLayer } from '../../src/layers/index.js';
import { tempDirs } from '../fixtures/temp-dir.js';
import { run, toolsAvailable } from '../fixtures/tools.js';

/**
 * Reproducible builds (SOURCE_DATE_EPOCH): the same tree, made at different times in different places, gives
 * byte-identical layers, the same config and the same manifest digest; and the image is one umoci unpacks.
 */
const umociReady = toolsAvailable('reproducible image: umoci unpack', ['umoci'], ['umoci']);
const tempDir = tempDirs('reproducible');
const isRoot = process.getuid?.() === 0;

const EPOCH = '1700000000';
let savedEpoch: string | undefined;
beforeEach(() => {
  savedEpoch = process.env.SOURCE_DATE_EPOCH;
  process.env.SOURCE_DATE_EPOCH = EPOCH;
});
afterEach(() => {
  if (savedEpoch === undefined) delete process.env.SOURCE_DATE_EPOCH;
  else process.env.SOURCE_DATE_EPOCH = savedEpoch;
});

/** The same tree every time; directory (and file) timestamps are `mtime`, which differs from build to build. */
async function makeTree(root: string, mtime: number): Promise<void> {
  await mkdir(path.join(root, 'app/lib'), { recursive: true });
  await mkdir(path.join(root, 'etc'), { recursive: true });
  await writeFile(path.join(root, 'app/server.js'), 'console.log("hello");\n');
  await writeFile(path.join(root, 'app/lib/data.txt'), Array.from({ length: 5000 }, (_, i) => `record ${i} ${i % 7}`).join('\n'));
  await writeFile(path.join(root, 'app/run'), '#!/bin/sh\nexec node /app/server.js\n');
  await chmod(path.join(root, 'app/run'), 0o755);
  await writeFile(path.join(root, 'etc/app.conf'), 'port=8080\n');
  await chmod(path.join(root, 'etc/app.conf'), 0o640);
  await symlink('app/run', path.join(root, 'entrypoint'));
  for (const [dir, mode] of [
    ['', 0o755],
    ['app', 0o755],
    ['app/lib', 0o750],
    ['etc', 0o755],
  ] as const) {
    await chmod(path.join(root, dir), mode);
  }
  for (const file of ['app/server.js', 'app/lib/data.txt', 'app/run', 'etc/app.conf']) await utimes(path.join(root, file), mtime, mtime);
  await lutimes(path.join(root, 'entrypoint'), mtime, mtime);
  for (const dir of ['app/lib', 'app', 'etc', '']) await utimes(path.join(root, dir), mtime, mtime);
}

interface Built {
  layout: string;
  layer: Descriptor;
  diffId: string;
  config: Descriptor;
  manifest: Descriptor;
  layerBytes: Buffer;
  tarBytes: Buffer;
}

/** Builds `tree` into a one-layer image in a fresh OCI layout, as a build would, with the epoch from the environment. */
async function buildImage(tree: string): Promise<Built> {
  const work = await tempDir();
  const sourceDateEpoch = parseSourceDateEpoch(process.env.SOURCE_DATE_EPOCH);
  expect(sourceDateEpoch).toBe(Number(EPOCH));
  const created = new Date(sourceDateEpoch! * 1000).toISOString().replace('.000Z', 'Z');

  const changes = await treeChanges(tree, { xattrs: false });
  const layerFile = path.join(work, 'layer.tar.gz');
  const layer = await writeLayer(changes, { output: layerFile, sourceDateEpoch });
  const tarFile = path.join(work, 'layer.tar');
  const tar = await writeLayer(changes, { output: tarFile, sourceDateEpoch, compression: { type: 'none' } });
  expect(tar.diffId).toBe(layer.diffId);

  const layout = await OciLayoutDirectory.create(path.join(work, 'layout'));
  const layerDescriptor: Descriptor = { mediaType: layer.mediaType, digest: layer.digest, size: layer.size };
  await layout.putBlob(createReadStream(layerFile), layerDescriptor);
  const configValue: ImageConfig = {
    created,
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Entrypoint: ['/entrypoint'], WorkingDir: '/app' },
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    history: [{ created, created_by: 'COPY . / # buildkit' }],
  };
  const config = serializeImageConfig(configValue);
  await layout.putBlob(config.bytes, config.descriptor);
  const manifest = serializeManifest({ config: config.descriptor, layers: [layerDescriptor] });
  await layout.putBlob(manifest.bytes, manifest.descriptor);
  await layout.setReference(manifest.descriptor, 'v1');
  return {
    layout: layout.dir,
    layer: layerDescriptor,
    diffId: layer.diffId,
    config: config.descriptor,
    manifest: manifest.descriptor,
    layerBytes: await readFile(layerFile),
    tarBytes: await readFile(tarFile),
  };
}

async function filesUnder(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name);
      files.set(path.relative(dir, file), await readFile(file));
    }
  }
  return files;
}

let first: Built | undefined;
let second: Built | undefined;
async function builtTwice(): Promise<[Built, Built]> {
  if (!first || !second) {
    const now = Math.floor(Date.now() / 1000);
    const treeA = path.join(await tempDir(), 'context');
    const treeB = path.join(await tempDir(), 'elsewhere', 'context');
    await makeTree(treeA, now - 3600);
    await makeTree(treeB, now);
    expect((await stat(treeA)).mtimeMs).not.toBe((await stat(treeB)).mtimeMs);
    first = await buildImage(treeA);
    second = await buildImage(treeB);
  }
  return [first, second];
}

describe('reproducible images (SOURCE_DATE_EPOCH)', () => {
  it('gives byte-identical layer blobs and the same config and manifest digests from two builds', async () => {
    const [a, b] = await builtTwice();
    expect(a.layout).not.toBe(b.layout);
    expect(a.layerBytes.equals(b.layerBytes)).toBe(true);
    expect(a.layer).toEqual(b.layer);
    expect(a.diffId).toBe(b.diffId);
    expect(a.config.digest).toBe(b.config.digest);
    expect(a.manifest.digest).toBe(b.manifest.digest);
    // The whole layouts, index.json included, are the same bytes.
    const filesA = await filesUnder(a.layout);
    const filesB = await filesUnder(b.layout);
    expect([...filesA.keys()].sort()).toEqual([...filesB.keys()].sort());
    for (const [name, bytes] of filesA) expect(bytes.equals(filesB.get(name)!), name).toBe(true);
    expect(JSON.parse((await readFile(path.join(a.layout, 'index.json'))).toString()).manifests[0].digest).toBe(a.manifest.digest);
  });

  it('clamps every timestamp of the layer to SOURCE_DATE_EPOCH and records it as the creation time', async () => {
    const [a] = await builtTwice();
    // Every header's mtime field (octal, 12 bytes at offset 136) of the tar is the epoch.
    const mtimes = new Set<number>();
    for (let offset = 0; offset + 512 <= a.tarBytes.length; ) {
      const header = a.tarBytes.subarray(offset, offset + 512);
      if (header.every((byte) => byte === 0)) break;
      mtimes.add(parseInt(header.subarray(136, 148).toString('latin1').replace(/\0.*$/, '').trim(), 8));
      const size = parseInt(header.subarray(124, 136).toString('latin1').replace(/\0.*$/, '').trim() || '0', 8);
      offset += 512 + Math.ceil(size / 512) * 512;
    }
    expect([...mtimes]).toEqual([Number(EPOCH)]);
    const config = JSON.parse((await readFile(path.join(a.layout, 'blobs', 'sha256', a.config.digest.slice('sha256:'.length)))).toString());
    expect(config.created).toBe('2023-11-14T22:13:20Z');
    expect(config.history).toEqual([{ created: '2023-11-14T22:13:20Z', created_by: 'COPY . / # buildkit' }]);
  });

  it('compresses to exactly what node:zlib gzip level 6 makes of the same tar in one call', async () => {
    const [a] = await builtTwice();
    expect(digestOf(a.tarBytes)).toBe(a.diffId);
    expect(gzipSync(a.tarBytes, { level: 6 }).equals(a.layerBytes)).toBe(true);
  });

  it.skipIf(!umociReady)('passes umoci unpack, with the files, modes and clamped times of the tree', async () => {
    const [a, b] = await builtTwice();
    for (const built of [a, b]) {
      const bundle = path.join(await tempDir(), 'bundle');
      await run('umoci', ['unpack', ...(isRoot ? [] : ['--rootless']), '--image', `${built.layout}:v1`, bundle]);
      const rootfs = path.join(bundle, 'rootfs');
      expect(await readFile(path.join(rootfs, 'app/server.js'), 'utf8')).toBe('console.log("hello");\n');
      expect((await stat(path.join(rootfs, 'app/run'))).mode & 0o7777).toBe(0o755);
      expect((await stat(path.join(rootfs, 'etc/app.conf'))).mode & 0o7777).toBe(0o640);
      expect((await stat(path.join(rootfs, 'app/lib'))).mode & 0o7777).toBe(0o750);
      expect(await readFile(path.join(rootfs, 'entrypoint'), 'utf8')).toContain('exec node /app/server.js');
      expect(Math.floor((await stat(path.join(rootfs, 'app/lib/data.txt'))).mtimeMs / 1000)).toBe(Number(EPOCH));
      const spec = JSON.parse(await readFile(path.join(bundle, 'config.json'), 'utf8'));
      expect(spec.process.args).toEqual(['/entrypoint']);
      expect(spec.process.cwd).toBe('/app');
      await rm(bundle, { recursive: true, force: true });
    }
  });
});
