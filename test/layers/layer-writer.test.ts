import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, link, lutimes, mkdir, readFile, stat, symlink, truncate, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SourceChangedError, treeChanges, writeLayer, type LayerChange, type LayerCompression } from '../../src/layers/index.js';
import { CAPABILITY_HEX, collector, listLayer, setXattr, useTempDirs, zstdPresent } from './helpers.js';

const tempDir = useTempDirs();
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const meta = { mode: 0o644, uid: 0, gid: 0, mtime: 1_600_000_000 };

const smallChanges: LayerChange[] = [
  { kind: 'add', type: 'directory', path: 'etc', ...meta, mode: 0o755 },
  { kind: 'add', type: 'file', path: 'etc/hostname', source: Buffer.from('box\n'), ...meta },
  { kind: 'delete', path: 'etc/motd' },
];

/** A tree with most kinds of entries; every timestamp set to `mtime`. */
async function buildTree(root: string, mtime: number): Promise<void> {
  await mkdir(path.join(root, 'usr/bin'), { recursive: true });
  await mkdir(path.join(root, 'données/日本'), { recursive: true });
  await writeFile(path.join(root, 'usr/bin/tool'), Buffer.alloc(300_000, 0xab));
  await chmod(path.join(root, 'usr/bin/tool'), 0o4755);
  setXattr(path.join(root, 'usr/bin/tool'), 'security.capability', CAPABILITY_HEX);
  await link(path.join(root, 'usr/bin/tool'), path.join(root, 'usr/bin/alias'));
  await writeFile(path.join(root, 'données/日本/é.txt'), 'unicode');
  const longDir = path.join(root, 'l'.repeat(100), 'm'.repeat(100));
  await mkdir(longDir, { recursive: true });
  await writeFile(path.join(longDir, 'n'.repeat(100)), 'long');
  await symlink(`/${'t'.repeat(200)}`, path.join(root, 'usr/long-link'));
  execFileSync('mkfifo', [path.join(root, 'usr/fifo')]);
  const all = execFileSync('find', [root, '-mindepth', '1'], { encoding: 'utf8' }).trim().split('\n');
  for (const entry of all.reverse()) await lutimes(entry, mtime, mtime);
}

describe('writeLayer', () => {
  it('returns the digest and size of the output and the diffID of the tar, from one pass', async () => {
    const out = collector();
    const layer = await writeLayer(smallChanges, { output: out.stream });
    const blob = out.bytes();
    expect(layer.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
    expect(layer.size).toBe(blob.length);
    expect(layer.digest).toBe(sha256(blob));
    expect(layer.diffId).toBe(sha256(gunzipSync(blob)));
    expect((await listLayer(blob)).map((e) => e.header.name)).toEqual(['etc/', 'etc/.wh.motd', 'etc/hostname']);
  });

  it('writes the same bytes to a file path as to a stream', async () => {
    const file = path.join(await tempDir(), 'layer.tar.gz');
    const out = collector();
    const toFile = await writeLayer(smallChanges, { output: file });
    const toStream = await writeLayer(smallChanges, { output: out.stream });
    expect(toFile).toEqual(toStream);
    expect((await readFile(file)).equals(out.bytes())).toBe(true);
  });

  it('honours gzip levels 1–9, level 6 being the default', async () => {
    const root = await tempDir();
    await writeFile(path.join(root, 'text'), Array.from({ length: 40_000 }, (_, i) => `line ${i % 977} ${i % 13}`).join('\n'));
    const changes = await treeChanges(root);
    const results = new Map<number | 'default', { digest: string; size: number; diffId: string }>();
    for (const level of [1, 6, 9] as const) results.set(level, await writeLayer(changes, { output: collector().stream, compression: { type: 'gzip', level } }));
    results.set('default', await writeLayer(changes, { output: collector().stream }));
    expect(results.get('default')).toEqual(results.get(6));
    expect(new Set([...results.values()].map((r) => r.diffId)).size).toBe(1);
    expect(results.get(1)!.digest).not.toBe(results.get(9)!.digest);
    expect(results.get(9)!.size).toBeLessThan(results.get(1)!.size);
  });

  it('writes an uncompressed layer whose digest is its diffID', async () => {
    const out = collector();
    const layer = await writeLayer(smallChanges, { output: out.stream, compression: { type: 'none' } });
    expect(layer.mediaType).toBe('application/vnd.oci.image.layer.v1.tar');
    expect(layer.digest).toBe(layer.diffId);
    expect(layer.digest).toBe(sha256(out.bytes()));
    expect(layer.size).toBe(out.bytes().length);
    expect(layer.size % 512).toBe(0);
  });

  it.runIf(zstdPresent('zstd layer test'))('writes zstd layers that the zstd CLI decompresses to the same tar', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'layer.tar.zst');
    const zstd = await writeLayer(smallChanges, { output: file, compression: { type: 'zstd', level: 9 } });
    const plain = await writeLayer(smallChanges, { output: collector().stream, compression: { type: 'none' } });
    const blob = await readFile(file);
    expect(zstd.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+zstd');
    expect(zstd.digest).toBe(sha256(blob));
    expect(zstd.size).toBe(blob.length);
    expect(zstd.diffId).toBe(plain.diffId);
    expect(sha256(execFileSync('zstd', ['-d', '-c', file]))).toBe(plain.diffId);
  });

  it('fails with a typed error, and removes the output file, when a source shrinks while it is written', async () => {
    const dir = await tempDir();
    const source = path.join(dir, 'shrinking');
    await writeFile(source, Buffer.alloc(64 * 1024 * 1024, 1));
    let truncated = false;
    const output = new Writable({
      write(_chunk, _encoding, callback) {
        if (truncated) return callback();
        truncated = true;
        truncate(source, 0).then(() => callback(), callback);
      },
    });
    const change: LayerChange = { kind: 'add', type: 'file', path: 'f', source, ...meta };
    await expect(writeLayer([change], { output, compression: { type: 'none' } })).rejects.toBeInstanceOf(SourceChangedError);
    const target = path.join(dir, 'layer.tar');
    await writeFile(source, '');
    const directoryAsSource: LayerChange = { kind: 'add', type: 'file', path: 'f', source: dir, ...meta };
    await expect(writeLayer([directoryAsSource], { output: target })).rejects.toMatchObject({ code: 'LAYER_INVALID_CHANGE' });
    await expect(stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  describe('reproducibility', () => {
    const compressions: LayerCompression[] = [{ type: 'gzip' }, { type: 'gzip', level: 9 }, { type: 'none' }];
    if (zstdPresent('zstd reproducibility test')) compressions.push({ type: 'zstd', level: 3 });

    it('gives byte-identical layers for the same tree in two temp dirs with different mtimes under SOURCE_DATE_EPOCH', async () => {
      const first = await tempDir('repro-a-');
      const second = await tempDir('repro-b-');
      await buildTree(first, 1_700_000_000);
      await buildTree(second, 1_800_000_000);
      await utimes(first, 1_650_000_000, 1_650_000_000);
      await utimes(second, 1_750_000_000, 1_750_000_000);
      const sourceDateEpoch = 1_500_000_000;
      for (const compression of compressions) {
        const outputs = [collector(), collector()];
        const layers = [
          await writeLayer(await treeChanges(first), { output: outputs[0].stream, compression, sourceDateEpoch }),
          await writeLayer(await treeChanges(second), { output: outputs[1].stream, compression, sourceDateEpoch }),
        ];
        expect(layers[0], JSON.stringify(compression)).toEqual(layers[1]);
        expect(outputs[0].bytes().equals(outputs[1].bytes()), JSON.stringify(compression)).toBe(true);
      }
      const withoutEpoch = [
        await writeLayer(await treeChanges(first), { output: collector().stream }),
        await writeLayer(await treeChanges(second), { output: collector().stream }),
      ];
      expect(withoutEpoch[0].diffId).not.toBe(withoutEpoch[1].diffId);
    });

    it('records the tree faithfully: hardlinks, xattrs, long and non-ASCII names, modes', async () => {
      const root = await tempDir();
      await buildTree(root, 1_700_000_000);
      const out = collector();
      await writeLayer(await treeChanges(root), { output: out.stream, compression: { type: 'none' }, sourceDateEpoch: 1_600_000_000 });
      const entries = await listLayer(out.bytes());
      const byName = new Map(entries.map((e) => [e.header.name, e.header]));
      expect(byName.get('usr/bin/alias')).toMatchObject({ type: 'file', mode: 0o4755, size: 300_000 });
      expect(byName.get('usr/bin/alias')!.xattrs.get('security.capability')!.toString('hex')).toBe(CAPABILITY_HEX);
      expect(byName.get('usr/bin/tool')).toMatchObject({ type: 'hardlink', linkTarget: 'usr/bin/alias' });
      expect(byName.get('usr/long-link')!.linkTarget).toBe(`/${'t'.repeat(200)}`);
      expect(byName.get('usr/fifo')!.type).toBe('fifo');
      expect(byName.has('données/日本/é.txt')).toBe(true);
      expect(byName.has(`${'l'.repeat(100)}/${'m'.repeat(100)}/${'n'.repeat(100)}`)).toBe(true);
      expect(entries.every((e) => e.header.mtime === 1_600_000_000)).toBe(true);
      const names = entries.map((e) => e.header.name.replace(/\/$/, ''));
      expect(names.indexOf('usr')).toBeLessThan(names.indexOf('usr/bin'));
      expect(names.indexOf('usr/bin')).toBeLessThan(names.indexOf('usr/bin/tool'));
    });
  });
});
