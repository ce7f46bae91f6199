import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ContentStore } from '../../src/cache/index.js';
import { canonicalJsonBytes, chainIds, digestOf, MemoryBlobs } from '../../src/image/index.js';
import { makeMultiPlatformImage, makeTestImage } from '../fixtures/layers.js';
import { tempDirs } from '../fixtures/temp-dir.js';

const tempDir = tempDirs('prune');

async function openStore(): Promise<ContentStore> {
  return ContentStore.open({ root: path.join(await tempDir(), 'store') });
}

async function snapshot(store: ContentStore, diffIds: string[]): Promise<string[]> {
  const ids = chainIds(diffIds);
  for (const id of ids) await store.ensureSnapshot(id, async (dir) => writeFile(path.join(dir, 'marker'), id));
  return ids;
}

describe('prune', () => {
  it('keeps what roots reach (manifest, config, layers, snapshots of their chain IDs) and removes the rest', async () => {
    const store = await openStore();
    const kept = await makeTestImage({ layers: [[{ type: 'file', path: 'a', content: 'A' }], [{ type: 'file', path: 'b', content: 'B' }]] });
    const dropped = await makeTestImage({ layers: [[{ type: 'file', path: 'c', content: 'C' }]] });
    await store.importImage(kept.blobs, kept.manifest.descriptor);
    await store.importImage(dropped.blobs, dropped.manifest.descriptor);
    const keptChains = await snapshot(store, kept.configValue.rootfs.diff_ids);
    const droppedChains = await snapshot(store, dropped.configValue.rootfs.diff_ids);
    const loose = (await store.putBlob(Buffer.from('loose'))).digest;
    await store.setRoot('image', 'kept', kept.manifest.descriptor);

    // The store's own lease still protects everything it wrote.
    expect((await store.prune()).removedBlobs).toEqual([]);
    await store.close();

    const dry = await store.prune({ dryRun: true });
    expect(dry.removedBlobs.length).toBe(4);
    expect(await store.hasBlob(loose)).toBe(true);

    const report = await store.prune();
    expect(report.removedBlobs.sort()).toEqual([dropped.manifest.descriptor.digest, dropped.config.descriptor.digest, dropped.layers[0].descriptor.digest, loose].sort());
    expect(report.removedSnapshots).toEqual(droppedChains);
    expect(report.keptBlobs).toBe(4);
    expect(report.keptSnapshots).toBe(2);
    expect(report.freedBytes).toBeGreaterThan(0);
    for (const digest of [kept.manifest.descriptor.digest, kept.config.descriptor.digest, ...kept.layers.map((l) => l.descriptor.digest)]) {
      expect(await store.hasBlob(digest)).toBe(true);
    }
    for (const id of keptChains) expect(await store.hasSnapshot(id)).toBe(true);
    for (const id of droppedChains) expect(await store.hasSnapshot(id)).toBe(false);
    expect(await readdir(path.join(store.root, 'tmp'))).toEqual([]);

    await store.deleteRoot('image', 'kept');
    expect((await store.prune()).removedBlobs.length).toBe(4);
    expect((await store.verify()).blobs).toBe(0);
  });

  it('walks multi-platform indexes and cache records (any JSON with descriptors and diff IDs)', async () => {
    const store = await openStore();
    const { blobs, index, images } = await makeMultiPlatformImage([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ]);
    await store.importImage(blobs, index.descriptor);
    const chains = await snapshot(store, images[1].configValue.rootfs.diff_ids);
    await store.setRoot('image', 'multi', index.descriptor);

    const layer = await makeTestImage({ layers: [[{ type: 'file', path: 'step', content: 'output' }]] });
    const record = canonicalJsonBytes({ key: 'step-1', layers: [layer.layers[0].descriptor], diffIds: [layer.layers[0].diffId] });
    const recordBlobs = new MemoryBlobs();
    recordBlobs.add(record);
    recordBlobs.add(layer.layers[0].bytes);
    await store.putBlob(layer.layers[0].bytes);
    const recordDescriptor = { mediaType: 'application/vnd.build-image.cache-record.v1+json', digest: digestOf(record), size: record.length };
    await store.putBlob(record);
    const stepChains = await snapshot(store, [layer.layers[0].diffId]);
    await store.setRoot('cache', 'step-1', recordDescriptor);
    await store.close();

    const report = await store.prune();
    expect(report.removedBlobs).toEqual([]);
    expect(report.removedSnapshots).toEqual([]);
    expect(report.keptBlobs).toBe(1 + 2 * 3 + 2);
    for (const id of [...chains, ...stepChains]) expect(await store.hasSnapshot(id)).toBe(true);
  });

  it('keeps what live leases hold, drops it when they are released', async () => {
    const store = await openStore();
    const lease = await store.createLease();
    const leased = store.withLease(lease);
    const image = await makeTestImage({ layers: [[{ type: 'file', path: 'a', content: 'A' }]] });
    await leased.importImage(image.blobs, image.manifest.descriptor);
    const [chain] = await snapshot(leased, image.configValue.rootfs.diff_ids);
    expect((await store.prune()).removedBlobs).toEqual([]);
    expect(await store.hasSnapshot(chain)).toBe(true);
    await lease.release();
    await expect(lease.add({ blobs: [image.manifest.descriptor.digest] })).rejects.toMatchObject({ code: 'STORE_LEASE_RELEASED' });
    const report = await store.prune();
    expect(report.removedBlobs.length).toBe(3);
    expect(report.removedSnapshots).toEqual([chain]);
  });

  it('spares young unreferenced content with minAgeMs, and temp files of live or unknown owners', async () => {
    const store = await openStore();
    const digest = (await store.putBlob(Buffer.from('young'))).digest;
    await store.close();
    const tmp = path.join(store.root, 'tmp');
    // Another host's temp file: judged by age alone.
    const foreignFresh = path.join(tmp, '00000000-1-aaaa.blob');
    const foreignOld = path.join(tmp, '00000000-1-bbbb.blob');
    await writeFile(foreignFresh, 'x');
    await writeFile(foreignOld, 'x');
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3_600_000);
    await utimes(foreignOld, twoDaysAgo, twoDaysAgo);
    // Not owner-stamped at all: also by age.
    await mkdir(path.join(tmp, 'unknown-dir'));

    const young = await store.prune({ minAgeMs: 3_600_000 });
    expect(young.removedBlobs).toEqual([]);
    expect(young.removedLeftovers).toEqual([foreignOld]);
    expect((await readdir(tmp)).sort()).toEqual(['00000000-1-aaaa.blob', 'unknown-dir']);
    expect((await store.prune()).removedBlobs).toEqual([digest]);
  });

  it('reports roots whose content is missing, and leaves invalid root files alone', async () => {
    const store = await openStore();
    const image = await makeTestImage({ layers: [[{ type: 'file', path: 'a', content: 'A' }]] });
    await store.putBlob(image.manifest.bytes);
    await store.setRoot('image', 'partial', image.manifest.descriptor);
    await writeFile(path.join(store.root, 'refs', 'image', 'garbage'), 'not json');
    await store.close();
    const report = await store.prune();
    expect(report.missing.map((m) => m.digest).sort()).toEqual([image.config.descriptor.digest, image.layers[0].descriptor.digest].sort());
    expect(report.missing[0].from).toContain('root image/partial');
    expect(report.invalidRoots).toEqual([path.join(store.root, 'refs', 'image', 'garbage')]);
    expect(report.removedBlobs).toEqual([]);
  });
});

describe('prune and mounts', () => {
  it('never removes a tmp/ entry that still has something mounted inside it', async () => {
    if (process.getuid?.() !== 0) {
      if (process.env.CI === 'true') throw new Error('mounting a tmpfs needs root');
      console.warn('\n*** SKIPPED prune-and-mounts: needs root to mount a tmpfs ***\n');
      return;
    }
    const store = await openStore();
    const stale = path.join(store.root, 'tmp', 'leftover-of-someone');
    const mountPoint = path.join(stale, 'merged');
    await mkdir(mountPoint, { recursive: true });
    const old = new Date(Date.now() - 30 * 24 * 3600 * 1000);
    await utimes(stale, old, old);
    await promisify(execFile)('mount', ['-t', 'tmpfs', 'tmpfs', mountPoint]);
    try {
      await writeFile(path.join(mountPoint, 'precious'), 'kept');
      const report = await store.prune();
      expect(report.removedLeftovers).not.toContain(stale);
      expect(await readFile(path.join(mountPoint, 'precious'), 'utf8')).toBe('kept');
    } finally {
      await promisify(execFile)('umount', [mountPoint]);
    }
    expect((await store.prune()).removedLeftovers).toContain(stale);
  });
});
