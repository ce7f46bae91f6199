import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContentStore } from '../../src/cache/index.js';
import { chainIds, digestOf } from '../../src/image/index.js';
import { tempDirs } from '../fixtures/temp-dir.js';

const tempDir = tempDirs('store-snapshots');

async function openStore(): Promise<ContentStore> {
  return ContentStore.open({ root: path.join(await tempDir(), 'store') });
}

describe('store snapshots', () => {
  const [chain] = chainIds([digestOf('layer 0')]);

  it('unpacks into a temp directory and renames it into place, once', async () => {
    const store = await openStore();
    let calls = 0;
    const unpack = async (dir: string): Promise<void> => {
      calls++;
      expect(path.dirname(dir)).toBe(path.join(store.root, 'tmp'));
      expect(await readdir(dir)).toEqual([]);
      await mkdir(path.join(dir, 'etc'));
      await writeFile(path.join(dir, 'etc', 'hostname'), 'box\n');
    };
    const first = await store.ensureSnapshot(chain, unpack);
    expect(first).toEqual({ path: store.snapshotPath(chain), created: true });
    expect(first.path).toBe(path.join(store.root, 'snapshots', 'sha256', chain.slice(7)));
    expect(await readFile(path.join(first.path, 'etc', 'hostname'), 'utf8')).toBe('box\n');
    expect(await store.ensureSnapshot(chain, unpack)).toEqual({ path: first.path, created: false });
    expect(calls).toBe(1);
    expect(await store.hasSnapshot(chain)).toBe(true);
    expect(await readdir(path.join(store.root, 'tmp'))).toEqual([]);
    await store.close();
  });

  it('keeps nothing of a failed unpack, even read-only directories', async () => {
    const store = await openStore();
    const failing = async (dir: string): Promise<void> => {
      await mkdir(path.join(dir, 'ro'));
      await writeFile(path.join(dir, 'ro', 'f'), 'x');
      const { chmod } = await import('node:fs/promises');
      await chmod(path.join(dir, 'ro'), 0o555);
      throw new Error('tar is corrupt');
    };
    await expect(store.ensureSnapshot(chain, failing)).rejects.toMatchObject({ code: 'STORE_SNAPSHOT_FAILED', chainId: chain, message: expect.stringContaining('tar is corrupt') });
    expect(await store.hasSnapshot(chain)).toBe(false);
    expect(await readdir(path.join(store.root, 'tmp'))).toEqual([]);
    await store.close();
  });
});

