import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecutorUnavailableError, possibleMountStubPaths, resolveRunUser, selectExecutor } from '../../src/executor/index.js';
import { hybridCgroup2Mounts } from '../../src/executor/cgroup-mounts.js';
import { parseMountinfo } from '../../src/files/index.js';
import { canRaiseLimits, currentNofileHardLimit, planNofileLimit } from '../../src/executor/nofile-limit.js';
import { commonParent, overlayMountArgs } from '../../src/executor/overlay-mount.js';
import { resolveInRootfs } from '../../src/executor/root-path.js';
import { which } from '../fixtures/tools.js';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'build-image-executor-helpers-'));
  await mkdir(path.join(home, 'root/etc'), { recursive: true });
  await writeFile(path.join(home, 'root/etc/passwd'), ['root:x:0:0:root:/root:/bin/sh', 'app:x:1000:1000::/home/app:/bin/sh', 'svc:x:1001:50::/:/bin/false', '# comment', 'broken:x:abc:1::/:'].join('\n'));
  await writeFile(path.join(home, 'root/etc/group'), ['root:x:0:', 'app:x:1000:', 'staff:x:50:', 'docker:x:2000:app,svc', 'audio:x:2001:app', 'video:x:2002:svc'].join('\n'));
  await mkdir(path.join(home, 'linked/real-etc'), { recursive: true });
  await writeFile(path.join(home, 'linked/real-etc/passwd'), 'linked:x:7:7::/:/bin/sh\n');
  await symlink('/real-etc', path.join(home, 'linked/etc'));
});
afterAll(() => rm(home, { recursive: true, force: true }));

describe('resolveRunUser', () => {
  const root = () => path.join(home, 'root');
  it('takes a name with its primary group and the groups that list it', async () => {
    expect(await resolveRunUser('app', root())).toEqual({ uid: 1000, gid: 1000, additionalGids: [2000, 2001] });
    expect(await resolveRunUser('svc', root())).toEqual({ uid: 1001, gid: 50, additionalGids: [2000, 2002] });
  });
  it('looks a uid up in passwd, and takes an unknown uid with gid 0', async () => {
    expect(await resolveRunUser('1000', root())).toEqual({ uid: 1000, gid: 1000, additionalGids: [2000, 2001] });
    expect(await resolveRunUser('4242', root())).toEqual({ uid: 4242, gid: 0, additionalGids: [] });
  });
  it('uses an explicit group (name or number) alone', async () => {
    expect(await resolveRunUser('app:staff', root())).toEqual({ uid: 1000, gid: 50, additionalGids: [] });
    expect(await resolveRunUser('4242:4343', root())).toEqual({ uid: 4242, gid: 4343, additionalGids: [] });
  });
  it('refuses unknown names with EXECUTOR_UNKNOWN_USER', async () => {
    await expect(resolveRunUser('ghost', root())).rejects.toMatchObject({ code: 'EXECUTOR_UNKNOWN_USER' });
    await expect(resolveRunUser('app:ghosts', root())).rejects.toMatchObject({ code: 'EXECUTOR_UNKNOWN_USER', message: expect.stringContaining('group ghosts') });
    await expect(resolveRunUser('app', undefined)).rejects.toMatchObject({ code: 'EXECUTOR_UNKNOWN_USER' });
  });
  it('reads /etc/passwd through a symlink that stays inside the rootfs', async () => {
    expect(await resolveRunUser('linked', path.join(home, 'linked'))).toEqual({ uid: 7, gid: 7, additionalGids: [] });
  });
});

describe('resolveInRootfs', () => {
  it('resolves absolute and relative symlinks inside the root and keeps missing components', async () => {
    const root = path.join(home, 'linked');
    expect(await resolveInRootfs(root, '/etc/passwd')).toBe('real-etc/passwd');
    expect(await resolveInRootfs(root, '/etc/../../../etc/missing/x')).toBe('real-etc/missing/x');
    expect(await resolveInRootfs(root, '/')).toBe('');
  });
});

describe('possibleMountStubPaths', () => {
  it("lists the executor's targets and the request's, with their parents", () => {
    expect(possibleMountStubPaths([{ type: 'tmpfs', target: '/var/cache/apt' }])).toEqual(['dev', 'etc', 'etc/hosts', 'etc/resolv.conf', 'proc', 'sys', 'var', 'var/cache', 'var/cache/apt']);
  });
});

describe('overlayMountArgs', () => {
  it('gives the lowers relative to their common parent, top-most first as given', () => {
    const args = overlayMountArgs({ lowers: ['/store/snapshots/b', '/store/snapshots/a'], upper: '/w/upper', work: '/w/work', target: '/w/merged' });
    expect(args).toEqual({ cwd: '/store/snapshots', options: 'lowerdir=b:a,upperdir=/w/upper,workdir=/w/work,index=off,redirect_dir=off,metacopy=off' });
    const rootless = overlayMountArgs({ lowers: ['/store/snapshots/a'], upper: '/w/upper', work: '/w/work', target: '/w/merged', userxattr: true });
    expect(rootless).toEqual({ cwd: '/store/snapshots', options: 'lowerdir=a,upperdir=/w/upper,workdir=/w/work,userxattr,index=off,redirect_dir=nofollow,metacopy=off' });
    expect(commonParent(['/x/y/z'])).toBe('/x/y');
    expect(commonParent(['/a/b', '/c/d'])).toBe('/');
  });
  it('reports lowers that do not fit in a page, or whose paths overlayfs options cannot carry', () => {
    const many = Array.from({ length: 100 }, (_, index) => `/s/${String(index).padStart(60, '0')}`);
    expect(overlayMountArgs({ lowers: many, upper: '/u', work: '/w', target: '/m' })).toMatchObject({ unsupported: expect.stringContaining('100 lower directories') });
    expect(overlayMountArgs({ lowers: ['/s/a:b'], upper: '/u', work: '/w', target: '/m' })).toMatchObject({ unsupported: expect.stringContaining('/s/a:b') });
  });
});

describe('host probing', () => {
  it('finds the cgroup2 mounts of a hybrid host only', () => {
    const line = (id: number, mountPoint: string, type: string) => `${id} 23 0:${id} / ${mountPoint} rw,relatime - ${type} ${type} rw`;
    const hybrid = [line(31, '/sys/fs/cgroup', 'tmpfs'), line(32, '/sys/fs/cgroup/cpu', 'cgroup'), line(41, '/sys/fs/cgroup/unified', 'cgroup2')].join('\n');
    expect(hybridCgroup2Mounts(parseMountinfo(hybrid))).toEqual(['/sys/fs/cgroup/unified']);
    expect(hybridCgroup2Mounts(parseMountinfo(line(30, '/sys/fs/cgroup', 'cgroup2')))).toEqual([]);
    expect(hybridCgroup2Mounts(parseMountinfo(line(32, '/sys/fs/cgroup/cpu', 'cgroup')))).toEqual([]);
  });
  it("plans Docker's RLIMIT_NOFILE: as is, raised through prlimit, or clamped", () => {
    const limits = 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 20000                files\n';
    expect(currentNofileHardLimit(limits)).toBe(20000);
    expect(planNofileLimit(Infinity, false, undefined)).toEqual({ limit: 1048576, prefix: [] });
    expect(planNofileLimit(20000, true, '/usr/bin/prlimit')).toEqual({ limit: 1048576, prefix: ['/usr/bin/prlimit', '--nofile=1048576:1048576', '--'] });
    expect(planNofileLimit(20000, false, '/usr/bin/prlimit')).toEqual({ limit: 20000, prefix: [] });
    expect(canRaiseLimits('CapEff:\t000001ffffffffff\n', true)).toBe(true);
    expect(canRaiseLimits('CapEff:\t000001ffffffffff\n', false)).toBe(false);
    expect(canRaiseLimits('CapEff:\t000001fffeffffff\n')).toBe(false);
  });
});

describe('selectExecutor', () => {
  const withPath = <T>(value: string, fn: () => T): T => {
    const saved = process.env.PATH;
    process.env.PATH = value;
    try {
      return fn();
    } finally {
      process.env.PATH = saved;
    }
  };

  it('auto prefers crun, then runc, then chroot', () => {
    const expected = which('crun') ? 'crun' : which('runc') ? 'runc' : 'chroot';
    expect(selectExecutor('auto').name).toBe(expected);
    if (which('runc')) expect(selectExecutor('runc').name).toBe('runc');
    if (which('unshare') && which('setpriv')) expect(selectExecutor('chroot').name).toBe('chroot');
  });

  it('throws EXECUTOR_UNAVAILABLE when the choice is not installed', async () => {
    const empty = await mkdtemp(path.join(home, 'empty-path-'));
    for (const choice of ['crun', 'runc', 'chroot', 'auto'] as const) {
      const error = withPath(empty, () => {
        try {
          selectExecutor(choice);
          return undefined;
        } catch (caught) {
          return caught;
        }
      });
      expect(error).toBeInstanceOf(ExecutorUnavailableError);
      expect(error).toMatchObject({ code: 'EXECUTOR_UNAVAILABLE', choice });
    }
  });
});
