import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTree } from '../fixtures/file-tree.js';
import { toolsAvailable } from '../fixtures/tools.js';
import { compress, layerEntries, tarArchive, type ArchiveEntry, type Compression } from './add-support.js';
import { builder, cachedSteps } from './build-support.js';

const { dir, run: buildIt } = builder('add-archive');
const haveTools = toolsAvailable('ADD of bzip2/xz/zstd archives', ['bzip2', 'xz', 'zstd'], ['bzip2', 'xz-utils', 'zstd']);

const payload: ArchiveEntry[] = [
  { name: 'app/', type: 'directory', mode: 0o750, uid: 1000, gid: 1001, mtime: 1_500_000_000 },
  { name: 'app/bin/tool', content: '#!/bin/sh\necho tool\n', mode: 0o4755, uid: 1000, gid: 1001, mtime: 1_600_000_000 },
  { name: 'app/bin/tool-again', type: 'link', linkname: 'app/bin/tool' },
  { name: 'app/current', type: 'symlink', linkname: 'bin/tool', uid: 7, gid: 8 },
  { name: './app/etc/config', content: 'key=value\n', mode: 0o600, uid: 33, gid: 33 },
  // Larger than what is kept in memory: staged on disk until the layer is written.
  { name: 'app/data/big.bin', content: 'z'.repeat(200_000) },
];

/** Builds `dockerfile` over a context holding `files` (archives as bytes), into an OCI layout. */
async function buildWith(dockerfile: string, files: Record<string, Buffer | string>, cacheDir?: string) {
  const context = writeTree(await dir(), { Dockerfile: dockerfile, ...files });
  const layout = path.join(await dir(), 'layout');
  const built = await buildIt({ context, cacheDir, outputs: [{ type: 'oci-layout', dest: layout }] });
  return { ...built, context, layout };
}

describe('ADD of a local archive', () => {
  const formats: Compression[] = ['none', 'gzip', 'bzip2', 'xz', 'zstd'];
  for (const format of formats) {
    it(`unpacks a ${format === 'none' ? 'plain' : format} tar by its content, keeping modes, owners, times and links`, async () => {
      if (format !== 'none' && format !== 'gzip' && !haveTools) return;
      // No archive-like file name: detection is by content, as BuildKit's.
      const archive = compress(await tarArchive(payload), format);
      const { result, layout } = await buildWith('FROM scratch\nADD payload.bin /opt/\n', { 'payload.bin': archive });
      const entries = await layerEntries(layout, result);
      expect(entries.has('opt/payload.bin')).toBe(false);
      expect(entries.get('opt/app')).toMatchObject({ type: 'directory', mode: 0o750, uid: 1000, gid: 1001, mtime: 1_500_000_000 });
      expect(entries.get('opt/app/bin/tool')).toMatchObject({ mode: 0o4755, uid: 1000, gid: 1001, mtime: 1_600_000_000, content: '#!/bin/sh\necho tool\n' });
      // The layer writer makes the second path of an inode a hardlink to the first in its order.
      const linked = [entries.get('opt/app/bin/tool'), entries.get('opt/app/bin/tool-again')];
      expect(linked.map((entry) => entry?.type).sort()).toEqual(['file', 'link']);
      expect(entries.get('opt/app/current')).toMatchObject({ type: 'symlink', linkname: 'bin/tool', uid: 7, gid: 8 });
      expect(entries.get('opt/app/etc/config')).toMatchObject({ mode: 0o600, uid: 33, gid: 33, content: 'key=value\n' });
      // A parent the archive implies without an entry of its own: created 0755, owned by root.
      expect(entries.get('opt/app/etc')).toMatchObject({ type: 'directory', mode: 0o755, uid: 0, gid: 0 });
      expect(entries.get('opt/app/data/big.bin')?.content).toBe('z'.repeat(200_000));
    });
  }

  it('gives every entry the --chown owner, and unpacks into a destination without a trailing slash', async () => {
    const archive = compress(await tarArchive(payload), 'gzip');
    const { result, layout } = await buildWith('FROM scratch\nADD --chown=42:43 app.tgz /srv\n', { 'app.tgz': archive });
    const entries = await layerEntries(layout, result);
    for (const name of ['srv/app', 'srv/app/bin/tool', 'srv/app/current', 'srv/app/etc/config']) expect(entries.get(name)).toMatchObject({ uid: 42, gid: 43 });
    expect(entries.get('srv')).toMatchObject({ type: 'directory', uid: 42, gid: 43 });
  });

  it('merges into an existing destination, the archive winning file by file', async () => {
    const archive = await tarArchive([{ name: 'conf/a.txt', content: 'from archive\n' }]);
    const context = writeTree(await dir(), {
      Dockerfile: 'FROM scratch\nCOPY conf/ /etc/conf/\nADD conf.tar /etc/\n',
      'conf/a.txt': 'old\n',
      'conf/b.txt': 'kept\n',
      'conf.tar': archive,
    });
    const rootfs = path.join(await dir(), 'rootfs');
    await buildIt({ context, outputs: [{ type: 'local', dest: rootfs }] });
    expect(await readFile(path.join(rootfs, 'etc/conf/a.txt'), 'utf8')).toBe('from archive\n');
    expect(await readFile(path.join(rootfs, 'etc/conf/b.txt'), 'utf8')).toBe('kept\n');
  });

  it('copies a file named like an archive that is not one, and a gzip file that holds no tar, as they are', async () => {
    const notTar = Buffer.from('just text, not a tarball\n');
    const gzippedText = compress(Buffer.from('compressed text\n'), 'gzip');
    const { result, layout } = await buildWith('FROM scratch\nADD foo.tar.gz notes.txt.gz /files/\n', { 'foo.tar.gz': notTar, 'notes.txt.gz': gzippedText });
    const entries = await layerEntries(layout, result);
    expect(entries.get('files/foo.tar.gz')).toMatchObject({ type: 'file', content: notTar.toString() });
    expect(entries.get('files/notes.txt.gz')?.content).toBe(gzippedText.toString('utf8'));
  });

  it('keeps an archive as a file with --unpack=false', async () => {
    const archive = await tarArchive(payload);
    const { result, layout } = await buildWith('FROM scratch\nADD --unpack=false payload.tar /opt/\n', { 'payload.tar': archive });
    const entries = await layerEntries(layout, result);
    expect(entries.get('opt/payload.tar')?.type).toBe('file');
    expect(entries.has('opt/app')).toBe(false);
  });

  it('follows symlinks the archive made, inside the destination', async () => {
    const archive = await tarArchive([
      { name: 'real/', type: 'directory' },
      { name: 'shortcut', type: 'symlink', linkname: '/real' },
      { name: 'shortcut/file', content: 'through the link\n' },
    ]);
    const { result, layout } = await buildWith('FROM scratch\nADD links.tar /d/\n', { 'links.tar': archive });
    const entries = await layerEntries(layout, result);
    expect(entries.get('d/real/file')?.content).toBe('through the link\n');
    expect(entries.get('d/shortcut')).toMatchObject({ type: 'symlink', linkname: '/real' });
  });

  const hostile: Array<[string, ArchiveEntry[]]> = [
    ['a .. entry', [{ name: '../escaped', content: 'x' }]],
    ['a nested .. entry', [{ name: 'ok/../../escaped', content: 'x' }]],
    ['an absolute name', [{ name: '/escaped', content: 'x' }]],
    ['a file through a symlink that leaves', [{ name: 'up', type: 'symlink', linkname: '../..' }, { name: 'up/escaped', content: 'x' }]],
    ['a hardlink out of the destination', [{ name: 'passwd', type: 'link', linkname: '../etc/passwd' }]],
  ];
  for (const [what, entries] of hostile) {
    it(`refuses ${what} with ADD_UNSAFE_ARCHIVE_ENTRY, writing nothing outside`, async () => {
      const cacheDir = await dir();
      const archive = await tarArchive([{ name: 'fine.txt', content: 'fine' }, ...entries]);
      const context = writeTree(await dir(), { Dockerfile: 'FROM scratch\nADD evil.tar /a/b/\n', 'evil.tar': archive });
      const failure = await buildIt({ context, cacheDir }).catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: 'ADD_UNSAFE_ARCHIVE_ENTRY', message: expect.stringMatching(/^Dockerfile:2:1: ADD evil\.tar \/a\/b\/: refusing entry '.*' of archive evil\.tar: /) });
      expect((await readdir(path.dirname(context))).filter((name) => name.includes('escaped'))).toEqual([]);
      expect((await readdir(context)).sort()).toEqual(['Dockerfile', 'evil.tar']);
      expect(await readdir(path.join(cacheDir, 'tmp'))).toEqual([]);
    });
  }

  it('reports an archive damaged after its first entry as ADD_ARCHIVE_UNREADABLE', async () => {
    const whole = compress(await tarArchive([{ name: 'a.txt', content: 'a' }, { name: 'big.bin', content: 'y'.repeat(100_000) }]), 'gzip');
    await expect(buildWith('FROM scratch\nADD cut.tgz /x/\n', { 'cut.tgz': whole.subarray(0, Math.floor(whole.length / 2)) })).rejects.toMatchObject({ code: 'ADD_ARCHIVE_UNREADABLE' });
  });

  it('keys the cache on the archive content and on unpacking', async () => {
    const cacheDir = await dir();
    const first = await tarArchive([{ name: 'v', content: '1' }]);
    const context = writeTree(await dir(), { Dockerfile: 'FROM scratch\nADD data.tar /d/\n', 'data.tar': first });
    expect(cachedSteps((await buildIt({ context, cacheDir })).result).ran).toEqual(['ADD data.tar /d/']);
    expect(cachedSteps((await buildIt({ context, cacheDir })).result).cached).toEqual(['ADD data.tar /d/']);
    await writeFile(path.join(context, 'data.tar'), await tarArchive([{ name: 'v', content: '2' }]));
    expect(cachedSteps((await buildIt({ context, cacheDir })).result).ran).toEqual(['ADD data.tar /d/']);
    // COPY of the same file is another step: the same content, not unpacked.
    await writeFile(path.join(context, 'Dockerfile'), 'FROM scratch\nCOPY data.tar /d/\n');
    expect(cachedSteps((await buildIt({ context, cacheDir })).result).ran).toEqual(['COPY data.tar /d/']);
  });
});
