import { execFileSync } from 'node:child_process';
import { chmod, link, lutimes, mkdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { applyLayer, diffTrees, treeChanges, writeLayer, type LayerChange } from '../../src/layers/index.js';
import { CAPABILITY_HEX, collector, isRoot, setXattr, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

const summary = (changes: LayerChange[]) => changes.map((change) => (change.kind === 'add' ? `+${change.type[0]} ${change.path}` : `${change.kind === 'delete' ? '-' : 'o'} ${change.path}`));

/** Two identical copies of one small tree. */
async function twinTrees(): Promise<{ lower: string; upper: string }> {
  const base = await tempDir('diff-');
  const lower = path.join(base, 'lower');
  await mkdir(path.join(lower, 'etc/conf.d'), { recursive: true });
  await mkdir(path.join(lower, 'var/cache/deep/er'), { recursive: true });
  await writeFile(path.join(lower, 'etc/conf.d/a'), 'a');
  await writeFile(path.join(lower, 'etc/passwd'), 'root');
  await writeFile(path.join(lower, 'var/cache/deep/er/file'), 'cache');
  await writeFile(path.join(lower, 'type-change'), 'file');
  await symlink('etc/passwd', path.join(lower, 'link'));
  const upper = path.join(base, 'upper');
  execFileSync('cp', ['-a', lower, upper]); // keeps nanosecond timestamps, which fs.cp does not
  return { lower, upper };
}

describe('diffTrees', () => {
  it('finds nothing between identical trees', async () => {
    const { lower, upper } = await twinTrees();
    expect(await diffTrees(lower, upper)).toEqual([]);
  });

  it('reports adds, modifications, topmost deletions and type changes, with the parents of each change', async () => {
    const { lower, upper } = await twinTrees();
    await writeFile(path.join(upper, 'etc/conf.d/new'), 'new');
    await writeFile(path.join(upper, 'etc/passwd'), 'root:changed');
    await rm(path.join(upper, 'var/cache/deep'), { recursive: true });
    await rm(path.join(upper, 'type-change'));
    await mkdir(path.join(upper, 'type-change'));
    await writeFile(path.join(upper, 'type-change/inside'), '');
    await rm(path.join(upper, 'link'));
    await symlink('etc/conf.d/a', path.join(upper, 'link'));
    expect(summary(await diffTrees(lower, upper))).toEqual([
      '+d etc',
      '+d etc/conf.d',
      '+f etc/conf.d/new',
      '+f etc/passwd',
      '+s link',
      '+d type-change',
      '+f type-change/inside',
      '+d var',
      '+d var/cache',
      '- var/cache/deep',
    ]);
  });

  it('does not list the content of a directory replaced by a file', async () => {
    const { lower, upper } = await twinTrees();
    await rm(path.join(upper, 'var'), { recursive: true });
    await writeFile(path.join(upper, 'var'), 'now a file');
    expect(summary(await diffTrees(lower, upper))).toEqual(['+f var']);
  });

  it('detects mode, owner and xattr changes, but not a directory mtime alone', async () => {
    const { lower, upper } = await twinTrees();
    await chmod(path.join(upper, 'etc/conf.d/a'), 0o4755);
    setXattr(path.join(upper, 'etc/passwd'), 'security.capability', CAPABILITY_HEX);
    await utimes(path.join(upper, 'var/cache'), 5, 5);
    if (isRoot) execFileSync('chown', ['300000:300000', path.join(upper, 'link'), '-h']);
    const expected = ['+d etc', '+d etc/conf.d', '+f etc/conf.d/a', '+f etc/passwd', ...(isRoot ? ['+s link'] : [])];
    const changes = await diffTrees(lower, upper);
    expect(summary(changes)).toEqual(expected);
    const passwd = changes.find((c) => c.path === 'etc/passwd');
    expect(passwd?.kind === 'add' && passwd.xattrs?.get('security.capability')?.toString('hex')).toBe(CAPABILITY_HEX);
  });

  it('compares contents only where stat cannot decide: same size and seconds, nanoseconds truncated on one side', async () => {
    const { lower, upper } = await twinTrees();
    await writeFile(path.join(lower, 'same'), 'AAAA');
    await writeFile(path.join(upper, 'same'), 'AAAA');
    await writeFile(path.join(lower, 'differs'), 'AAAA');
    await writeFile(path.join(upper, 'differs'), 'BBBB');
    await writeFile(path.join(lower, 'both-ns'), 'AAAA');
    await writeFile(path.join(upper, 'both-ns'), 'AAAA');
    for (const name of ['same', 'differs']) {
      await utimes(path.join(lower, name), 1000, 1_600_000_000.25);
      await utimes(path.join(upper, name), 1000, 1_600_000_000);
    }
    await utimes(path.join(lower, 'both-ns'), 1000, 1_600_000_000.25);
    await utimes(path.join(upper, 'both-ns'), 1000, 1_600_000_000.5);
    expect(summary(await diffTrees(lower, upper))).toEqual(['+f both-ns', '+f differs']);
  });

  it('keeps hardlink identity so the writer links them', async () => {
    const { lower, upper } = await twinTrees();
    await writeFile(path.join(upper, 'x1'), 'shared');
    await link(path.join(upper, 'x1'), path.join(upper, 'x2'));
    const changes = await diffTrees(lower, upper);
    const keys = changes.filter((c) => c.kind === 'add' && c.path.startsWith('x')).map((c) => c.kind === 'add' && c.hardlinkKey);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBeTruthy();
    expect(keys[0]).toBe(keys[1]);
  });
});

describe('write → apply → diff round trip', () => {
  it('applies a written tree so that diffing it against the source finds nothing', async () => {
    const source = await tempDir('source-');
    await mkdir(path.join(source, 'usr/bin'), { recursive: true });
    await mkdir(path.join(source, 'tmp'));
    await chmod(path.join(source, 'tmp'), 0o1777);
    await writeFile(path.join(source, 'usr/bin/tool'), Buffer.alloc(200_000, 3));
    await chmod(path.join(source, 'usr/bin/tool'), 0o4755);
    setXattr(path.join(source, 'usr/bin/tool'), 'security.capability', CAPABILITY_HEX);
    setXattr(path.join(source, 'usr/bin/tool'), 'user.binary', '00ff7f80');
    await link(path.join(source, 'usr/bin/tool'), path.join(source, 'usr/bin/tool-alias'));
    await writeFile(path.join(source, `${'é'.repeat(60)}.txt`), 'non-ascii');
    const longDir = path.join(source, ...Array.from({ length: 6 }, (_, i) => `${i}`.repeat(60)));
    await mkdir(longDir, { recursive: true });
    await writeFile(path.join(longDir, 'leaf'), 'long');
    await symlink(`../${'x'.repeat(300)}`, path.join(source, 'long-link'));
    await symlink('/etc/passwd', path.join(source, 'abs-link'));
    execFileSync('mkfifo', [path.join(source, 'fifo')]);
    if (isRoot) {
      execFileSync('mknod', [path.join(source, 'null'), 'c', '1', '3']);
      execFileSync('chown', ['-h', '300000:300001', path.join(source, 'usr/bin/tool'), path.join(source, 'abs-link')]);
      await chmod(path.join(source, 'usr/bin/tool'), 0o4755);
    }
    // Sub-second mtimes on every entry: the diff must cope with the tar keeping whole seconds.
    const entries = execFileSync('find', [source, '-mindepth', '1'], { encoding: 'utf8' }).trim().split('\n');
    for (const entry of entries.reverse()) await lutimes(entry, 1_650_000_000.123, 1_650_000_000.456);

    for (const compression of [{ type: 'gzip' as const }, { type: 'none' as const }]) {
      const layer = collector();
      await writeLayer(await treeChanges(source), { output: layer.stream, compression });
      const target = await tempDir('target-');
      await applyLayer(Readable.from([layer.bytes()]), target);
      expect(await diffTrees(source, target)).toEqual([]);
      expect(await diffTrees(target, source)).toEqual([]);
    }
  });

  it('turns a diff into a layer that moves the lower tree to the upper one', async () => {
    const { lower, upper } = await twinTrees();
    await writeFile(path.join(upper, 'etc/passwd'), 'changed');
    await rm(path.join(upper, 'var'), { recursive: true });
    await mkdir(path.join(upper, 'opt/new'), { recursive: true });
    await writeFile(path.join(upper, 'opt/new/file'), 'new');
    const layer = collector();
    await writeLayer(await diffTrees(lower, upper), { output: layer.stream });
    const target = await tempDir('target-');
    execFileSync('cp', ['-a', `${lower}/.`, target]);
    await applyLayer(Readable.from([layer.bytes()]), target);
    expect(await diffTrees(upper, target)).toEqual([]);
  });
});
