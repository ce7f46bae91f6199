import { execFileSync } from 'node:child_process';
import { mkdir, readFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorruptLayerError, UnsupportedEntryError } from '../../src/layers/errors.js';
import { END_OF_ARCHIVE, contentPadding, encodePaxRecords, encodeTarHeader, type TarHeaderInput } from '../../src/layers/tar-header.js';
import { readTarEntries } from '../../src/layers/tar-reader.js';
import { CAPABILITY_HEX, chunksOf, craftTar, listLayer, setXattr, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

const plain: TarHeaderInput = { name: '', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 0 };

/** A header block of an extension type ('x', 'g', 'L', …) announcing `size` bytes. */
function metaHeader(typeflag: string, size: number): Buffer {
  const header = encodeTarHeader({ ...plain, name: 'meta', size });
  header[156] = typeflag.charCodeAt(0);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return header;
}

async function collect(bytes: Buffer, chunkSize = 512) {
  const names: string[] = [];
  for await (const { header } of readTarEntries(chunksOf(bytes, chunkSize))) names.push(header.name);
  return names;
}

describe('readTarEntries', () => {
  it('reads what tar-stream writes, PAX long names and every entry type included', async () => {
    const longName = `${'deep/'.repeat(60)}file`;
    const bytes = await craftTar([
      { header: { name: 'dir', type: 'directory', mode: 0o755 } },
      { header: { name: 'dir/file', mode: 0o600, uid: 12, gid: 34 }, content: 'content' },
      { header: { name: 'dir/link', type: 'symlink', linkname: '../elsewhere' } },
      { header: { name: 'dir/hard', type: 'link', linkname: 'dir/file' } },
      { header: { name: longName }, content: 'long' },
      { header: { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 } },
      { header: { name: 'fifo', type: 'fifo' } },
    ]);
    for (const chunkSize of [1, 7, 512, 100_000]) {
      const entries = [];
      for await (const { header, body } of readTarEntries(chunksOf(bytes, chunkSize))) {
        const parts: Buffer[] = [];
        for await (const chunk of body) parts.push(chunk);
        entries.push({ ...header, content: Buffer.concat(parts).toString() });
      }
      expect(entries.map((entry) => [entry.name, entry.type])).toEqual([
        ['dir', 'directory'],
        ['dir/file', 'file'],
        ['dir/link', 'symlink'],
        ['dir/hard', 'hardlink'],
        [longName, 'file'],
        ['dev/null', 'character-device'],
        ['fifo', 'fifo'],
      ]);
      expect(entries[1]).toMatchObject({ mode: 0o600, uid: 12, gid: 34, size: 7, content: 'content', mtime: 1_000_000 });
      expect(entries[2].linkTarget).toBe('../elsewhere');
      expect(entries[3].linkTarget).toBe('dir/file');
      expect(entries[4].content).toBe('long');
      expect(entries[5]).toMatchObject({ devMajor: 1, devMinor: 3 });
    }
  });

  it('skips bodies the consumer does not read', async () => {
    const bytes = await craftTar([{ header: { name: 'a' }, content: 'x'.repeat(3000) }, { header: { name: 'b' }, content: 'y' }]);
    expect(await collect(bytes, 100)).toEqual(['a', 'b']);
  });

  it('keeps binary xattr values byte-exact from a GNU tar PAX archive', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'src'));
    await writeFile(path.join(dir, 'src', 'ping'), 'binary');
    setXattr(path.join(dir, 'src', 'ping'), 'security.capability', CAPABILITY_HEX);
    setXattr(path.join(dir, 'src', 'ping'), 'user.note', '00ff80');
    const tarball = path.join(dir, 'layer.tar');
    execFileSync('tar', ['--format=posix', '--xattrs', '--xattrs-include=*', '-cf', tarball, '-C', path.join(dir, 'src'), 'ping']);
    const [entry] = (await listLayer(await readFile(tarball))).filter((e) => e.header.name === 'ping');
    expect(entry.header.xattrs.get('security.capability')!.toString('hex')).toBe(CAPABILITY_HEX);
    expect(entry.header.xattrs.get('user.note')!.toString('hex')).toBe('00ff80');
    expect(entry.content.toString()).toBe('binary');
  });

  it('reads GNU long names and long link targets', async () => {
    const dir = await tempDir();
    const longDir = path.join(dir, 'src', 'x'.repeat(120));
    await mkdir(longDir, { recursive: true });
    await writeFile(path.join(longDir, 'f'), 'gnu');
    execFileSync('ln', ['-s', 'y'.repeat(150), path.join(longDir, 'l')]);
    const tarball = path.join(dir, 'layer.tar');
    execFileSync('tar', ['--format=gnu', '-cf', tarball, '-C', path.join(dir, 'src'), '.']);
    const entries = await listLayer(await readFile(tarball));
    const file = entries.find((e) => e.header.name.endsWith('/f'))!;
    expect(file.header.name).toBe(`./${'x'.repeat(120)}/f`);
    expect(file.content.toString()).toBe('gnu');
    expect(entries.find((e) => e.header.type === 'symlink')!.header.linkTarget).toBe('y'.repeat(150));
  });

  it('reads PAX records written by tar-stream', async () => {
    const bytes = await craftTar([{ header: { name: 'a', pax: { 'SCHILY.xattr.user.k': 'v' } } }]);
    const [entry] = await listLayer(bytes);
    expect(entry.header.xattrs.get('user.k')!.toString()).toBe('v');
  });

  it('applies PAX global headers to every later entry, local records winning', async () => {
    const globalBody = encodePaxRecords([['uid', Buffer.from('4242')], ['SCHILY.xattr.user.g', Buffer.from('global')]]);
    const localBody = encodePaxRecords([['uid', Buffer.from('7')]]);
    const bytes = Buffer.concat([
      metaHeader('g', globalBody.length), globalBody, contentPadding(globalBody.length),
      encodeTarHeader({ ...plain, name: 'first' }),
      metaHeader('x', localBody.length), localBody, contentPadding(localBody.length),
      encodeTarHeader({ ...plain, name: 'second' }),
      END_OF_ARCHIVE,
    ]);
    const entries = await listLayer(bytes);
    expect(entries.map((e) => [e.header.name, e.header.uid, e.header.xattrs.get('user.g')?.toString()])).toEqual([
      ['first', 4242, 'global'],
      ['second', 7, 'global'],
    ]);
  });

  it('refuses a damaged header with a typed error', async () => {
    const bytes = await craftTar([{ header: { name: 'a' }, content: 'x' }]);
    bytes[10] ^= 0xff;
    await expect(collect(bytes)).rejects.toBeInstanceOf(CorruptLayerError);
  });

  it('refuses a truncated archive with a typed error', async () => {
    const bytes = await craftTar([{ header: { name: 'a' }, content: 'x'.repeat(2000) }]);
    await expect(collect(bytes.subarray(0, 1024))).rejects.toMatchObject({ code: 'LAYER_CORRUPT' });
  });

  it('refuses oversized extended headers as hostile', async () => {
    const header = metaHeader('x', 8 * 1024 * 1024);
    await expect(collect(Buffer.concat([header, Buffer.alloc(1024)]))).rejects.toBeInstanceOf(CorruptLayerError);
  });

  it('refuses sparse files with a typed error', async () => {
    const dir = await tempDir();
    const sparse = path.join(dir, 'sparse');
    await writeFile(sparse, '');
    await truncate(sparse, 1024 * 1024);
    await writeFile(path.join(dir, 'data'), 'x');
    execFileSync('sh', ['-c', `printf x >> ${sparse}`]);
    const tarball = path.join(dir, 'layer.tar');
    execFileSync('tar', ['--format=gnu', '--sparse', '-cf', tarball, '-C', dir, 'sparse']);
    await expect(collect(await readFile(tarball))).rejects.toBeInstanceOf(UnsupportedEntryError);
  });

  it('reads to the end of the input after the end-of-archive marker', async () => {
    const bytes = Buffer.concat([await craftTar([{ header: { name: 'a' } }]), Buffer.alloc(10240)]);
    let consumed = 0;
    async function* counting() {
      for await (const chunk of chunksOf(bytes, 4096)) {
        consumed += chunk.length;
        yield chunk;
      }
    }
    for await (const entry of readTarEntries(counting())) void entry;
    expect(consumed).toBe(bytes.length);
  });
});
