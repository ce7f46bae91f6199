import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContentStore } from '../../src/cache/index.js';
import { digestOf, readBlob } from '../../src/image/index.js';
import { makeTestImage } from '../fixtures/layers.js';
import { tempDirs } from '../fixtures/temp-dir.js';

const tempDir = tempDirs('content-store');

async function openStore(): Promise<ContentStore> {
  return ContentStore.open({ root: path.join(await tempDir(), 'store') });
}

describe('content store', () => {
  it('imports an image graph and serves it back as a blob source', async () => {
    const store = await openStore();
    const image = await makeTestImage({ layers: [[{ type: 'file', path: 'a', content: 'A' }], [{ type: 'file', path: 'b', content: 'B' }]] });
    expect(await store.importImage(image.blobs, image.manifest.descriptor)).toEqual({ copied: 4, present: 0 });
    expect(await store.importImage(image.blobs, image.manifest.descriptor)).toEqual({ copied: 0, present: 4 });
    expect((await readBlob(store, image.layers[1].descriptor)).equals(image.layers[1].bytes)).toBe(true);
    await store.close();
  });

  it('opens an existing store and refuses another store version', async () => {
    const dir = path.join(await tempDir(), 'store');
    const store = await ContentStore.open({ root: dir });
    await store.putBlob(Buffer.from('kept'));
    const again = await ContentStore.open({ root: dir });
    expect(await again.hasBlob(digestOf('kept'))).toBe(true);
    await writeFile(path.join(dir, 'store-version'), '99\n');
    await expect(ContentStore.open({ root: dir })).rejects.toMatchObject({ code: 'STORE_UNSUPPORTED_VERSION' });
    await store.close();
  });
});

