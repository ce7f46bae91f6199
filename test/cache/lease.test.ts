import { readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContentStore } from '../../src/cache/index.js';
import { digestOf } from '../../src/image/index.js';
import { tempDirs } from '../fixtures/temp-dir.js';

const tempDir = tempDirs('lease');

describe('leases', () => {
  it('is a file in leases/ listing blobs and snapshots, removed on release', async () => {
    const store = await ContentStore.open({ root: path.join(await tempDir(), 'store') });
    const lease = await store.createLease();
    expect(path.dirname(lease.file)).toBe(path.join(store.root, 'leases'));
    expect(lease.id).toMatch(/^[0-9a-f]{8}-\d+-[0-9a-f]+$/);
    const blob = digestOf('b');
    const snapshot = digestOf('s');
    await lease.add({ blobs: [blob], snapshots: [snapshot] });
    await lease.add({});
    expect((await readFile(lease.file, 'utf8')).split('\n').slice(1)).toEqual([`blob ${blob}`, `snapshot ${snapshot}`, '']);
    expect(lease.isReleased).toBe(false);
    await lease.release();
    await lease.release();
    expect(lease.isReleased).toBe(true);
    expect(await readdir(path.join(store.root, 'leases'))).toEqual([]);
  });

  it('another host\'s lease is live while refreshed, a leftover once stale', async () => {
    const store = await ContentStore.open({ root: path.join(await tempDir(), 'store'), staleMs: 60_000 });
    const kept = (await store.putBlob(Buffer.from('leased elsewhere'))).digest;
    await store.close();
    const file = path.join(store.root, 'leases', '00000000-1-abcdef.lease');
    await writeFile(file, `# lease\nblob ${kept}\n`);
    expect((await store.verify()).leftovers).toEqual([]);
    expect((await store.prune()).removedBlobs).toEqual([]);

    const old = new Date(Date.now() - 5 * 60_000);
    await utimes(file, old, old);
    expect((await store.verify()).leftovers).toEqual([file]);
    const report = await store.prune();
    expect(report.removedLeftovers).toEqual([file]);
    expect(report.removedBlobs).toEqual([kept]);
  });
});
