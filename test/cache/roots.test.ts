import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContentStore, rootFileName } from '../../src/cache/index.js';
import { digestOf, MediaType } from '../../src/image/index.js';
import { makeTestImage } from '../fixtures/layers.js';
import { tempDirs } from '../fixtures/temp-dir.js';

const tempDir = tempDirs('roots');

async function openStore(): Promise<ContentStore> {
  return ContentStore.open({ root: path.join(await tempDir(), 'store') });
}

describe('roots', () => {
  it('sets, lists, reads and deletes roots of any kind; names are encoded for the file system', async () => {
    const store = await openStore();
    const image = await makeTestImage({ layers: [[{ type: 'file', path: 'a', content: 'A' }]] });
    await store.importImage(image.blobs, image.manifest.descriptor);
    const root = await store.setRoot('image', 'registry.example:5000/team/app:v1', image.manifest.descriptor);
    expect(root).toMatchObject({ kind: 'image', name: 'registry.example:5000/team/app:v1', descriptor: image.manifest.descriptor });
    await store.setRoot('cache', 'sha256:abc', image.config.descriptor);
    expect(await store.getRoot('image', 'registry.example:5000/team/app:v1')).toEqual(root);
    expect((await store.listRoots()).map((r) => `${r.kind}/${r.name}`)).toEqual(['cache/sha256:abc', 'image/registry.example:5000/team/app:v1']);
    expect((await store.listRoots('image')).length).toBe(1);
    expect(await readdir(path.join(store.root, 'refs', 'image'))).toEqual([rootFileName('registry.example:5000/team/app:v1')]);
    expect(rootFileName('a/b')).toBe('a%2Fb');
    expect(rootFileName('..')).toBe('%2E.');
    expect(rootFileName('x'.repeat(300))).toMatch(/^sha256-[a-f0-9]{64}$/);
    expect(await store.deleteRoot('image', 'registry.example:5000/team/app:v1')).toBe(true);
    expect(await store.deleteRoot('image', 'registry.example:5000/team/app:v1')).toBe(false);
    expect(await store.getRoot('image', 'registry.example:5000/team/app:v1')).toBeUndefined();

    const absent = { mediaType: MediaType.OciManifest, digest: digestOf('absent'), size: 6 };
    await expect(store.setRoot('image', 'x', absent)).rejects.toMatchObject({ code: 'STORE_ROOT_TARGET_MISSING' });
    await expect(store.setRoot('Bad Kind', 'x', image.manifest.descriptor)).rejects.toMatchObject({ code: 'STORE_INVALID_ROOT_NAME' });
    await expect(store.setRoot('image', '', image.manifest.descriptor)).rejects.toMatchObject({ code: 'STORE_INVALID_ROOT_NAME' });
    expect((await stat(path.join(store.root, 'refs'))).isDirectory()).toBe(true);
    await store.close();
  });
});
