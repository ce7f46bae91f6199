import { lstat, mkdir, readFile, readdir, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  HardlinkTargetError,
  LinkEscapeError,
  SymlinkLoopError,
  UnsafeLayerPathError,
  applyLayer,
  writeLayer,
  type LayerChange,
} from '../../src/layers/index.js';
import { CAPABILITY_HEX, collector, craftTar, getXattrs, isRoot, useTempDirs, type CraftedEntry } from './helpers.js';

const tempDir = useTempDirs();

/** A target root and, beside it, a directory that must never be touched. */
async function sandbox(): Promise<{ base: string; root: string; outside: string }> {
  const base = await tempDir('apply-');
  const root = path.join(base, 'root');
  const outside = path.join(base, 'outside');
  await mkdir(root);
  await mkdir(outside);
  await writeFile(path.join(outside, 'secret'), 'original');
  return { base, root, outside };
}

async function expectOutsideUntouched(base: string, outside: string): Promise<void> {
  expect((await readdir(base)).sort()).toEqual(['outside', 'root']);
  expect(await readdir(outside)).toEqual(['secret']);
  expect(await readFile(path.join(outside, 'secret'), 'utf8')).toBe('original');
  expect((await stat(path.join(outside, 'secret'))).nlink).toBe(1);
}

const apply = async (entries: CraftedEntry[], root: string) => applyLayer(Readable.from([await craftTar(entries)]), root);

describe('applying entries refuses or contains hostile ones', () => {
  it("refuses names with '..' and writes nothing outside", async () => {
    const { base, root, outside } = await sandbox();
    for (const name of ['../x', 'a/../../x', '..']) {
      await expect(apply([{ header: { name }, content: 'evil' }], root)).rejects.toBeInstanceOf(UnsafeLayerPathError);
    }
    await expectOutsideUntouched(base, outside);
  });

  it('refuses absolute names', async () => {
    const { base, root, outside } = await sandbox();
    await expect(apply([{ header: { name: `${outside}/secret` }, content: 'evil' }], root)).rejects.toMatchObject({ code: 'LAYER_UNSAFE_PATH' });
    await expectOutsideUntouched(base, outside);
  });

  it('resolves `a -> /etc` then `a/passwd` inside the root', async () => {
    const { root } = await sandbox();
    const hostPasswd = await readFile('/etc/passwd');
    await apply([{ header: { name: 'a', type: 'symlink', linkname: '/etc' } }, { header: { name: 'a/passwd' }, content: 'root:x:0:0::/:/bin/sh\n' }], root);
    expect(await readFile(path.join(root, 'etc/passwd'), 'utf8')).toBe('root:x:0:0::/:/bin/sh\n');
    expect(await readlink(path.join(root, 'a'))).toBe('/etc');
    expect((await readFile('/etc/passwd')).equals(hostPasswd)).toBe(true);
  });

  it('resolves symlinks to the absolute path of an outside directory inside the root', async () => {
    const { base, root, outside } = await sandbox();
    await apply([{ header: { name: 'a', type: 'symlink', linkname: outside } }, { header: { name: 'a/pwned' }, content: 'evil' }], root);
    expect(await readFile(path.join(root, outside, 'pwned'), 'utf8')).toBe('evil');
    await expectOutsideUntouched(base, outside);
  });

  it('clamps relative symlinks that climb above the root', async () => {
    const { base, root, outside } = await sandbox();
    await apply(
      [
        { header: { name: 'up', type: 'symlink', linkname: '../../../../..' } },
        { header: { name: 'up/outside/pwned' }, content: 'evil' },
        { header: { name: 'deep/er', type: 'directory' } },
        { header: { name: 'deep/er/up', type: 'symlink', linkname: '../../../outside' } },
        { header: { name: 'deep/er/up/pwned2' }, content: 'evil' },
      ],
      root,
    );
    expect(await readFile(path.join(root, 'outside/pwned'), 'utf8')).toBe('evil');
    expect(await readFile(path.join(root, 'outside/pwned2'), 'utf8')).toBe('evil');
    await expectOutsideUntouched(base, outside);
  });

  it('refuses hardlinks to `../../outside` and to absolute targets', async () => {
    const { base, root, outside } = await sandbox();
    await expect(apply([{ header: { name: 'h', type: 'link', linkname: '../outside/secret' } }], root)).rejects.toBeInstanceOf(LinkEscapeError);
    await expect(apply([{ header: { name: 'h', type: 'link', linkname: '../../outside' } }], root)).rejects.toBeInstanceOf(LinkEscapeError);
    await expect(apply([{ header: { name: 'h', type: 'link', linkname: `${outside}/secret` } }], root)).rejects.toMatchObject({ code: 'LAYER_LINK_ESCAPE' });
    await expectOutsideUntouched(base, outside);
  });

  it('resolves a hardlink target through a symlinked parent inside the root, never to the outside file', async () => {
    const { base, root, outside } = await sandbox();
    await expect(
      apply([{ header: { name: 'l', type: 'symlink', linkname: outside } }, { header: { name: 'h', type: 'link', linkname: 'l/secret' } }], root),
    ).rejects.toBeInstanceOf(HardlinkTargetError);
    await expect(lstat(path.join(root, 'h'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expectOutsideUntouched(base, outside);
  });

  it('links a hardlink to a symlink itself, not to what it points at', async () => {
    const { base, root, outside } = await sandbox();
    await apply([{ header: { name: 'l', type: 'symlink', linkname: `${outside}/secret` } }, { header: { name: 'h', type: 'link', linkname: 'l' } }], root);
    expect((await lstat(path.join(root, 'h'))).isSymbolicLink()).toBe(true);
    await expectOutsideUntouched(base, outside);
  });

  it('follows a symlinked parent that is replaced later in the same layer, in both directions', async () => {
    const { base, root, outside } = await sandbox();
    await apply(
      [
        { header: { name: 'd', type: 'directory' } },
        { header: { name: 'd/sub', type: 'symlink', linkname: outside } },
        { header: { name: 'd/sub/one' }, content: '1' },
        { header: { name: 'd/sub', type: 'directory' } },
        { header: { name: 'd/sub/two' }, content: '2' },
        { header: { name: 'x', type: 'directory' } },
        { header: { name: 'x/a' }, content: 'a' },
        { header: { name: 'x', type: 'symlink', linkname: outside } },
        { header: { name: 'x/b' }, content: 'b' },
      ],
      root,
    );
    expect(await readFile(path.join(root, outside, 'one'), 'utf8')).toBe('1');
    expect(await readFile(path.join(root, 'd/sub/two'), 'utf8')).toBe('2');
    expect((await lstat(path.join(root, 'd/sub'))).isDirectory()).toBe(true);
    expect(await readFile(path.join(root, outside, 'b'), 'utf8')).toBe('b');
    expect(await readlink(path.join(root, 'x'))).toBe(outside);
    await expectOutsideUntouched(base, outside);
  });

  it('replaces an existing symlink pointing outside instead of writing through it', async () => {
    const { base, root, outside } = await sandbox();
    await symlink(path.join(outside, 'secret'), path.join(root, 'victim'));
    await symlink(outside, path.join(root, 'lib'));
    await apply([{ header: { name: 'victim' }, content: 'new' }, { header: { name: 'lib/x' }, content: 'x' }], root);
    expect((await lstat(path.join(root, 'victim'))).isFile()).toBe(true);
    expect(await readFile(path.join(root, 'victim'), 'utf8')).toBe('new');
    expect(await readFile(path.join(root, outside, 'x'), 'utf8')).toBe('x');
    await expectOutsideUntouched(base, outside);
  });

  it('does not let whiteouts or opaque markers reach through symlinks', async () => {
    const { base, root, outside } = await sandbox();
    await symlink(outside, path.join(root, 's'));
    await apply([{ header: { name: 's/.wh.secret' } }, { header: { name: 's/.wh..wh..opq' } }], root);
    await expectOutsideUntouched(base, outside);
  });

  it("refuses whiteouts that name '.' or '..'", async () => {
    const { base, root, outside } = await sandbox();
    await expect(apply([{ header: { name: '.wh...' } }], root)).rejects.toBeInstanceOf(UnsafeLayerPathError);
    await expect(apply([{ header: { name: 'a/.wh..' } }], root)).rejects.toBeInstanceOf(UnsafeLayerPathError);
    await expectOutsideUntouched(base, outside);
  });

  it('refuses hardlinks to directories or missing targets, and symlink loops, with typed errors', async () => {
    const { root } = await sandbox();
    await expect(apply([{ header: { name: 'd', type: 'directory' } }, { header: { name: 'h', type: 'link', linkname: 'd' } }], root)).rejects.toBeInstanceOf(HardlinkTargetError);
    await expect(apply([{ header: { name: 'h2', type: 'link', linkname: 'missing' } }], root)).rejects.toMatchObject({ code: 'LAYER_HARDLINK_TARGET_INVALID' });
    await expect(
      apply([{ header: { name: 'p', type: 'symlink', linkname: 'q' } }, { header: { name: 'q', type: 'symlink', linkname: 'p' } }, { header: { name: 'p/x' } }], root),
    ).rejects.toBeInstanceOf(SymlinkLoopError);
  });

  it('refuses an entry whose parent is a file with a typed error', async () => {
    const { root } = await sandbox();
    await expect(apply([{ header: { name: 'f' }, content: 'x' }, { header: { name: 'f/child' }, content: 'y' }], root)).rejects.toMatchObject({ code: 'LAYER_PATH_CONFLICT' });
  });
});

describe('applying entries', () => {
  it('removes whited-out paths and clears opaque directories, keeping what this layer adds', async () => {
    const { root } = await sandbox();
    await mkdir(path.join(root, 'keep'));
    await mkdir(path.join(root, 'opaque/lower-dir'), { recursive: true });
    await writeFile(path.join(root, 'opaque/lower-file'), '');
    await writeFile(path.join(root, 'opaque/lower-dir/deep'), '');
    await writeFile(path.join(root, 'keep/gone'), '');
    await mkdir(path.join(root, 'gone-dir/sub'), { recursive: true });
    await writeFile(path.join(root, 'keep/stays'), '');
    const stats = await apply(
      [
        { header: { name: 'opaque', type: 'directory' } },
        { header: { name: 'opaque/.early' }, content: 'same layer, sorted before the marker' },
        { header: { name: 'opaque/new-dir/file' }, content: 'implicit parent' },
        { header: { name: 'opaque/.wh..wh..opq' } },
        { header: { name: 'opaque/late' }, content: 'after' },
        { header: { name: 'keep/.wh.gone' } },
        { header: { name: '.wh.gone-dir' } },
        { header: { name: '.wh.never-existed' } },
      ],
      root,
    );
    expect((await readdir(path.join(root, 'opaque'))).sort()).toEqual(['.early', 'late', 'new-dir']);
    expect(await readdir(path.join(root, 'keep'))).toEqual(['stays']);
    expect((await readdir(root)).sort()).toEqual(['keep', 'opaque']);
    expect(stats).toMatchObject({ whiteouts: 3, opaqueDirectories: 1, files: 3, directories: 1 });
  });

  it('replaces files with directories and directories with files or symlinks', async () => {
    const { root } = await sandbox();
    await writeFile(path.join(root, 'was-file'), '');
    await mkdir(path.join(root, 'was-dir/sub'), { recursive: true });
    await mkdir(path.join(root, 'was-dir2'));
    await writeFile(path.join(root, 'merged-old'), '');
    await mkdir(path.join(root, 'merged'));
    await writeFile(path.join(root, 'merged/old'), 'kept');
    await apply(
      [
        { header: { name: 'was-file', type: 'directory', mode: 0o700 } },
        { header: { name: 'was-dir' }, content: 'now a file' },
        { header: { name: 'was-dir2', type: 'symlink', linkname: 'was-dir' } },
        { header: { name: 'merged', type: 'directory', mode: 0o750 } },
        { header: { name: 'merged/new' }, content: 'new' },
      ],
      root,
    );
    expect((await lstat(path.join(root, 'was-file'))).isDirectory()).toBe(true);
    expect(await readFile(path.join(root, 'was-dir'), 'utf8')).toBe('now a file');
    expect(await readlink(path.join(root, 'was-dir2'))).toBe('was-dir');
    expect((await readdir(path.join(root, 'merged'))).sort()).toEqual(['new', 'old']);
    expect((await stat(path.join(root, 'merged'))).mode & 0o7777).toBe(0o750);
  });

  it('keeps modes, mtimes and, as root, ownership including uids above 2^18', async () => {
    const { root } = await sandbox();
    // tar-stream saturates ustar ids above 0o777777 (2^18 - 1), so ids that large go in PAX records here.
    await apply(
      [
        { header: { name: 'd', type: 'directory', mode: 0o1777, mtime: new Date(1_111_111_111_000), pax: { uid: '300000', gid: '300001' } } },
        { header: { name: 'd/suid', mode: 0o4755, gid: 5, mtime: new Date(1_222_222_222_000), pax: { uid: '300000' } }, content: '#!' },
        { header: { name: 'd/sgid', mode: 0o2711, uid: 1, gid: 2 }, content: '' },
        { header: { name: 'd/link', type: 'symlink', linkname: 'suid', gid: 7, mtime: new Date(1_333_333_333_000), pax: { uid: '300002' } } },
        { header: { name: 'd/huge-uid', uid: 0, pax: { uid: '3000000', gid: '3000001' } }, content: '' },
      ],
      root,
    );
    const dir = await stat(path.join(root, 'd'));
    expect(dir.mode & 0o7777).toBe(0o1777);
    expect(dir.mtimeMs).toBe(1_111_111_111_000);
    const suid = await stat(path.join(root, 'd/suid'));
    expect(suid.mode & 0o7777).toBe(0o4755);
    expect(suid.mtimeMs).toBe(1_222_222_222_000);
    expect((await stat(path.join(root, 'd/sgid'))).mode & 0o7777).toBe(0o2711);
    const link = await lstat(path.join(root, 'd/link'));
    expect(link.mtimeMs).toBe(1_333_333_333_000);
    if (isRoot) {
      expect([dir.uid, dir.gid]).toEqual([300_000, 300_001]);
      expect([suid.uid, suid.gid]).toEqual([300_000, 5]);
      expect([link.uid, link.gid]).toEqual([300_002, 7]);
      const huge = await stat(path.join(root, 'd/huge-uid'));
      expect([huge.uid, huge.gid]).toEqual([3_000_000, 3_000_001]);
    }
  });

  it('leaves ownership alone when asked not to preserve it', async () => {
    const { root } = await sandbox();
    await applyLayer(Readable.from([await craftTar([{ header: { name: 'f', uid: 4242, gid: 4242 }, content: '' }])]), root, { preserveOwnership: false });
    expect((await stat(path.join(root, 'f'))).uid).toBe(process.getuid!());
  });

  it('creates fifos, and device nodes when running as root', async () => {
    const { root } = await sandbox();
    const stats = await apply(
      [
        { header: { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 } },
        { header: { name: 'dev/loop0', type: 'block-device', devmajor: 7, devminor: 0, mode: 0o660 } },
        { header: { name: 'run/fifo', type: 'fifo', mode: 0o620 } },
      ],
      root,
    );
    const fifo = await lstat(path.join(root, 'run/fifo'));
    expect(fifo.isFIFO()).toBe(true);
    expect(fifo.mode & 0o7777).toBe(0o620);
    if (isRoot) {
      const device = await lstat(path.join(root, 'dev/null'));
      expect(device.isCharacterDevice()).toBe(true);
      expect(device.rdev).toBe((1 << 8) | 3);
      expect(device.mode & 0o7777).toBe(0o666);
      expect((await lstat(path.join(root, 'dev/loop0'))).isBlockDevice()).toBe(true);
      expect(stats.devices).toBe(2);
    } else {
      expect(stats.skipped).toBe(2);
    }
  });

  it('sets binary xattrs byte-exact', async () => {
    const { root } = await sandbox();
    await apply([{ header: { name: 'ping', pax: { 'SCHILY.xattr.user.text': 'plain' } }, content: 'x' }], root);
    expect(getXattrs(path.join(root, 'ping')).get('user.text')!.toString()).toBe('plain');
    const change: LayerChange = {
      kind: 'add', type: 'file', path: 'bin/ping', source: Buffer.from('x'), mode: 0o755, uid: 0, gid: 0, mtime: 0,
      xattrs: new Map([['security.capability', Buffer.from(CAPABILITY_HEX, 'hex')], ['user.bytes', Buffer.from([0xff, 0x00, 0x80])]]),
    };
    const layer = collector();
    await writeLayer([change], { output: layer.stream });
    const stats = await applyLayer(Readable.from([layer.bytes()]), root);
    const xattrs = getXattrs(path.join(root, 'bin/ping'));
    expect(xattrs.get('user.bytes')).toEqual(Buffer.from([0xff, 0x00, 0x80]));
    if (isRoot) expect(xattrs.get('security.capability')!.toString('hex')).toBe(CAPABILITY_HEX);
    else expect(stats.xattrsSkipped).toBe(1);
  });

});
