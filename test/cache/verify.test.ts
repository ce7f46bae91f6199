import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContentStore } from '../../src/cache/index.js';
import { digestOf } from '../../src/image/index.js';
import { tempDirs } from '../fixtures/temp-dir.js';

const tempDir = tempDirs('verify');

describe('verify', () => {
  it('hashes every blob; reports corrupt blobs, strays and leftovers; repairs corrupt blobs on request', async () => {
    const store = await ContentStore.open({ root: path.join(await tempDir(), 'store') });
    const good = (await store.putBlob(Buffer.from('good'))).digest;
    const bad = (await store.putBlob(Buffer.from('will rot'))).digest;
    await store.close();
    expect(await store.verify()).toMatchObject({ ok: true, blobs: 2, bytes: 12, corrupt: [], strays: [], leftovers: [] });

    await writeFile(store.blobPath(bad), 'rotten!!');
    await writeFile(path.join(store.root, 'blobs', 'sha256', 'not-a-digest'), 'x');
    await mkdir(path.join(store.root, 'snapshots', 'sha256'), { recursive: true });
    await writeFile(path.join(store.root, 'snapshots', 'sha256', 'file-not-dir'), 'x');
    await writeFile(path.join(store.root, 'lock.stale-1-abcd'), '{}');
    await writeFile(path.join(store.root, 'surprise'), '');

    const report = await store.verify();
    expect(report.ok).toBe(false);
    expect(report.corrupt).toEqual([{ digest: bad, actual: digestOf('rotten!!'), file: store.blobPath(bad) }]);
    expect(report.strays.sort()).toEqual(
      [
        path.join(store.root, 'blobs', 'sha256', 'not-a-digest'),
        path.join(store.root, 'snapshots', 'sha256', 'file-not-dir'),
        path.join(store.root, 'surprise'),
      ].sort(),
    );
    expect(report.leftovers).toEqual([path.join(store.root, 'lock.stale-1-abcd')]);

    await store.verify({ repair: true });
    expect(await store.hasBlob(bad)).toBe(false);
    expect(await store.hasBlob(good)).toBe(true);
    expect((await store.verify()).corrupt).toEqual([]);
  });
});
