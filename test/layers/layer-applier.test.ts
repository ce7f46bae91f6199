import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CorruptLayerError, applyLayer, writeLayer, type LayerChange } from '../../src/layers/index.js';
import { craftTar, useTempDirs, zstdPresent } from './helpers.js';

const tempDir = useTempDirs();

async function sandbox(): Promise<{ base: string; root: string }> {
  const base = await tempDir('apply-');
  const root = path.join(base, 'root');
  await mkdir(root);
  return { base, root };
}

describe('applyLayer', () => {
  it('detects the compression, reads from a file path or a stream, and reports the diffID', async () => {
    const changes: LayerChange[] = [{ kind: 'add', type: 'file', path: 'f', source: Buffer.from('content'), mode: 0o644, uid: 0, gid: 0, mtime: 0 }];
    const types = ['gzip', 'none', ...(zstdPresent('zstd apply test') ? ['zstd'] : [])] as const;
    for (const type of types) {
      const { base, root } = await sandbox();
      const file = path.join(base, `layer.${type}`);
      const written = await writeLayer(changes, { output: file, compression: { type } as never });
      const fromPath = await applyLayer(file, root);
      const fromStream = await applyLayer(createReadStream(file), path.join(base, 'second'));
      for (const stats of [fromPath, fromStream]) {
        expect(stats.compression).toBe(type);
        expect(stats.diffId).toBe(written.diffId);
        expect(stats.files).toBe(1);
      }
      expect(await readFile(path.join(base, 'second/f'), 'utf8')).toBe('content');
    }
  });

  it('fails with typed errors on damaged or truncated compressed layers', async () => {
    const { root } = await sandbox();
    const gz = gzipSync(await craftTar([{ header: { name: 'f' }, content: 'x'.repeat(10_000) }]));
    const damaged = Buffer.from(gz);
    damaged.fill(0x55, 20, 40);
    await expect(applyLayer(Readable.from([damaged]), root)).rejects.toBeInstanceOf(CorruptLayerError);
    await expect(applyLayer(Readable.from([gz.subarray(0, gz.length - 30)]), root)).rejects.toBeInstanceOf(CorruptLayerError);
    await expect(applyLayer(Readable.from([Buffer.from('BZh91AY&SY')]), root)).rejects.toMatchObject({ code: 'LAYER_UNSUPPORTED_COMPRESSION' });
  });

  it('reads a layer GNU tar wrote', async () => {
    const { base, root } = await sandbox();
    const src = path.join(base, 'src');
    await mkdir(path.join(src, 'a/b'), { recursive: true });
    await writeFile(path.join(src, 'a/b/c'), 'gnu');
    execFileSync('ln', [path.join(src, 'a/b/c'), path.join(src, 'a/hard')]);
    const tarball = path.join(base, 'gnu.tar');
    execFileSync('tar', ['--format=posix', '-cf', tarball, '-C', src, '.']);
    const stats = await applyLayer(tarball, root);
    expect(await readFile(path.join(root, 'a/b/c'), 'utf8')).toBe('gnu');
    expect((await stat(path.join(root, 'a/hard'))).ino).toBe((await stat(path.join(root, 'a/b/c'))).ino);
    expect(stats.hardlinks).toBe(1);
  });

});
