import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContentStore } from '../../src/cache/index.js';
import { runCli } from '../support/run-cli.js';
import { makeTestImage, type TestImage } from '../fixtures/layers.js';
import { tempDirs } from '../fixtures/temp-dir.js';

const tempDir = tempDirs('cli-prune');

interface Fixture {
  dir: string;
  image: TestImage;
  kept: string[];
  loose: string;
}

/** A real store: an image (manifest, config, two layers) kept by a root, and one blob nothing refers to. */
async function storeWithLooseBlob(dir?: string): Promise<Fixture> {
  const root = dir ?? path.join(await tempDir(), 'store');
  const store = await ContentStore.open({ root, durable: false });
  const image = await makeTestImage({
    layers: [[{ type: 'file', path: 'etc/motd', content: 'hello\n' }], [{ type: 'file', path: 'bin/tool', content: '#!/bin/sh\n' }]],
  });
  await store.importImage(image.blobs, image.manifest.descriptor);
  await store.setRoot('image', 'example:latest', image.manifest.descriptor);
  const loose = (await store.putBlob(Buffer.from('nothing refers to this'))).digest;
  // Until the store's own lease is released, what it wrote is protected from prune.
  await store.close();
  const kept = [image.manifest.descriptor.digest, image.config.descriptor.digest, ...image.layers.map((layer) => layer.descriptor.digest)];
  return { dir: root, image, kept, loose };
}

async function blobsIn(dir: string, digests: string[]): Promise<boolean[]> {
  const store = await ContentStore.open({ root: dir });
  return Promise.all(digests.map((digest) => store.hasBlob(digest)));
}

describe('build-image prune', () => {
  it('removes exactly the blob no root reaches, printing it and the bytes freed', async () => {
    const { dir, kept, loose } = await storeWithLooseBlob();
    const result = await runCli(['prune', '--cache-dir', dir]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trim().split('\n');
    expect(lines).toEqual([
      `removed blob ${loose}`,
      `removed 1 blob, 0 snapshots, 0 leftovers; freed ${Buffer.byteLength('nothing refers to this')} bytes of blobs; kept 4 blobs and 0 snapshots`,
    ]);
    expect(await blobsIn(dir, [loose])).toEqual([false]);
    expect(await blobsIn(dir, kept)).toEqual([true, true, true, true]);

    const again = await runCli(['prune', '--cache-dir', dir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('removed 0 blobs, 0 snapshots, 0 leftovers; freed 0 bytes of blobs; kept 4 blobs and 0 snapshots\n');
  });

  it('--dry-run prints what would go and removes nothing', async () => {
    const { dir, kept, loose } = await storeWithLooseBlob();
    const result = await runCli(['prune', '--cache-dir', dir, '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`would remove blob ${loose}\n`);
    expect(result.stdout).toMatch(/^dry run: would remove 1 blob, 0 snapshots, 0 leftovers, freeing 22 bytes of blobs; kept 4 blobs/m);
    expect(await blobsIn(dir, [loose, ...kept])).toEqual([true, true, true, true, true]);
  });

  it('removes what only a deleted root kept', async () => {
    const { dir, image, loose } = await storeWithLooseBlob();
    const store = await ContentStore.open({ root: dir });
    await store.deleteRoot('image', 'example:latest');
    const result = await runCli(['prune', '--cache-dir', dir]);
    expect(result.code).toBe(0);
    const removed = result.stdout.split('\n').filter((line) => line.startsWith('removed blob ')).map((line) => line.slice('removed blob '.length));
    expect(removed.sort()).toEqual([loose, image.manifest.descriptor.digest, image.config.descriptor.digest, ...image.layers.map((l) => l.descriptor.digest)].sort());
    expect(result.stdout).toMatch(/\nremoved 5 blobs, 0 snapshots, 0 leftovers; freed (\d+ bytes|\d+\.\d KiB \(\d+ bytes\)) of blobs; kept 0 blobs and 0 snapshots\n$/);
  });

  it('warns about a blob a root refers to but the store lacks, and still removes the rest', async () => {
    const { dir, image, loose } = await storeWithLooseBlob();
    await rm(path.join(dir, 'blobs', 'sha256', image.config.descriptor.digest.slice('sha256:'.length)));
    const result = await runCli(['prune', '--cache-dir', dir]);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(`removed blob ${loose}`);
    expect(result.stderr).toBe(
      `warning: blob ${image.config.descriptor.digest}, referenced by ${image.manifest.descriptor.digest} (from root image/example:latest), is missing from the store\n`,
    );
  });

  it('uses the ContentStore default ($XDG_CACHE_HOME/build-image) without --cache-dir', async () => {
    const cacheHome = await tempDir();
    const { loose } = await storeWithLooseBlob(path.join(cacheHome, 'build-image'));
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = cacheHome;
    try {
      const result = await runCli(['prune']);
      expect(result.code).toBe(0);
      expect(result.stdout.split('\n')[0]).toBe(`removed blob ${loose}`);
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });

  it('does not create a store where there is none, and refuses a directory that is not a store', async () => {
    const missing = path.join(await tempDir(), 'no-store');
    const result = await runCli(['prune', '--cache-dir', missing]);
    expect(result).toEqual({ code: 0, stdout: `no content store at ${missing}: nothing to remove\n`, stderr: '' });
    expect(existsSync(missing)).toBe(false);

    const other = await tempDir();
    await mkdir(path.join(other, 'src'));
    await writeFile(path.join(other, 'notes.txt'), 'mine');
    const refused = await runCli(['prune', '--cache-dir', other]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`build-image: ${other} is not a build-image content store (it has no store-version file)\n`);
    expect(existsSync(path.join(other, 'blobs'))).toBe(false);
  });

  it('rejects unknown options and prints help', async () => {
    expect((await runCli(['prune', '--bogus'])).code).toBe(2);
    expect((await runCli(['prune', 'extra'])).code).toBe(2);
    const help = await runCli(['prune', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: build-image prune [--cache-dir DIR] [--dry-run]');
    expect((await runCli(['--help'])).stdout).toContain('build-image prune');
  });
});
