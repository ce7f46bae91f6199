import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planLayer } from '../../src/layers/layer-plan.js';
import type { LayerChange } from '../../src/layers/layer-change.js';
import { tarBytes } from '../../src/layers/tar-bytes.js';
import { listLayer, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();
const meta = { mode: 0o644, uid: 0, gid: 0, mtime: 0 };

describe('tarBytes', () => {
  it('streams small and large files in entry order, in bounded chunks, ending with the end-of-archive blocks', async () => {
    const dir = await tempDir();
    const changes: LayerChange[] = [];
    const expected = new Map<string, Buffer>();
    for (let i = 0; i < 50; i++) {
      const name = `f${String(i).padStart(2, '0')}`;
      const content = i % 10 === 3 ? Buffer.alloc(3 * 1024 * 1024 + 17, i) : Buffer.from(`small file ${i}\n`.repeat(i));
      await writeFile(path.join(dir, name), content);
      changes.push({ kind: 'add', type: 'file', path: name, source: path.join(dir, name), ...meta });
      expected.set(name, content);
    }
    changes.push({ kind: 'add', type: 'file', path: 'inline', source: Buffer.from('bytes given directly'), ...meta });
    expected.set('inline', Buffer.from('bytes given directly'));
    changes.push({ kind: 'delete', path: 'gone' });

    const chunks: Buffer[] = [];
    for await (const chunk of tarBytes(planLayer(changes))) chunks.push(chunk);
    const tar = Buffer.concat(chunks);
    expect(Math.max(...chunks.map((chunk) => chunk.length))).toBeLessThanOrEqual(1024 * 1024);
    expect(tar.length % 512).toBe(0);
    expect(tar.subarray(tar.length - 1024).every((byte) => byte === 0)).toBe(true);

    const entries = await listLayer(tar);
    expect(entries.map((entry) => entry.header.name)).toEqual(['.wh.gone', ...[...expected.keys()].sort()]);
    for (const entry of entries.slice(1)) expect(entry.content.equals(expected.get(entry.header.name)!), entry.header.name).toBe(true);
  });

  it('fails with a typed error when a source file has vanished', async () => {
    const dir = await tempDir();
    const changes: LayerChange[] = Array.from({ length: 20 }, (_, i) => ({ kind: 'add', type: 'file', path: `f${i}`, source: path.join(dir, `missing-${i}`), ...meta }));
    const consume = async () => {
      for await (const chunk of tarBytes(planLayer(changes))) void chunk;
    };
    await expect(consume()).rejects.toMatchObject({ code: 'LAYER_SOURCE_CHANGED' });
  });
});
