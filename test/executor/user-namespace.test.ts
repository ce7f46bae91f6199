import { chmod, open, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { devptsOptions, isIdMapped, isInitialIdMap, parseIdMap, sysfsNeedsBind } from '../../src/executor/current-user-namespace.js';
import { spawnInUserNamespace, type SpawnInUserNamespaceOptions } from '../../src/executor/index.js';
import { parseSubordinateIds, readSubordinateIds } from '../../src/executor/subordinate-ids.js';
import { tempDirs } from '../fixtures/temp-dir.js';
import { toolsAvailable, which } from '../fixtures/tools.js';

const dir = tempDirs('user-namespace');
const haveUnshare = toolsAvailable('user namespaces', ['unshare'], ['util-linux']);
const uid = process.geteuid!();
const gid = process.getegid!();
const userName = os.userInfo().username;

describe('id maps and subordinate ids', () => {
  it('reads uid_map lines and tells the initial namespace from a child one', () => {
    const initial = parseIdMap('         0          0 4294967295\n');
    expect(initial).toEqual([{ inside: 0, outside: 0, count: 4294967295 }]);
    expect(isInitialIdMap(initial)).toBe(true);
    const rootless = parseIdMap('0 1001 1\n1 100000 65536\n');
    expect(isInitialIdMap(rootless)).toBe(false);
    expect([0, 1, 65534, 65536].map((id) => isIdMapped(id, rootless))).toEqual([true, true, true, true]);
    expect(isIdMapped(65537, rootless)).toBe(false);
    expect(isIdMapped(65534, parseIdMap('0 1001 1\n'))).toBe(false);
  });

  it("finds a user's ranges by name or uid, skipping malformed lines", () => {
    const text = 'alice:100000:65536\n1001:300000:1000\nbob:165536:65536\nalice:oops:1\nalice:400000:0\n\n';
    expect(parseSubordinateIds(text, 'alice', 1001)).toEqual([
      { start: 100000, count: 65536 },
      { start: 300000, count: 1000 },
    ]);
    expect(parseSubordinateIds(text, 'carol', 1002)).toEqual([]);
    expect(readSubordinateIds('/nonexistent/subuid', 'alice', 1001)).toEqual([]);
  });

  it('binds /sys for the host network in a child namespace only, and drops the tty group where it is not mapped', () => {
    expect([sysfsNeedsBind('host', true), sysfsNeedsBind('none', true), sysfsNeedsBind('host', false)]).toEqual([true, false, false]);
    expect(devptsOptions(true)).toContain('gid=5');
    expect(devptsOptions(false)).not.toContain('gid=5');
  });
});

/** Runs `script` with sh in a new user namespace, its stdout and stderr going to files, and reads them back. */
async function inNamespace(script: string, options: Omit<SpawnInUserNamespaceOptions, 'stdio'> = {}) {
  const work = await dir();
  const [out, err] = await Promise.all([open(path.join(work, 'out'), 'w+'), open(path.join(work, 'err'), 'w+')]);
  try {
    const child = spawnInUserNamespace(['/bin/sh', '-c', script], { ...options, stdio: ['ignore', out.fd, err.fd] });
    const mapping = await child.mapped.catch((error: Error) => error);
    const end = await child.exited;
    return { mapping, end, stdout: await readFile(path.join(work, 'out'), 'utf8'), stderr: await readFile(path.join(work, 'err'), 'utf8') };
  } finally {
    await Promise.all([out.close(), err.close()]);
  }
}

describe.runIf(haveUnshare)('spawnInUserNamespace', () => {
  it('runs the command as root of the namespace with only the caller mapped, and passes its exit code on', async () => {
    const { mapping, end, stdout } = await inNamespace('id -u; id -g; cat /proc/self/uid_map /proc/self/setgroups; exit 7', { singleId: true });
    expect(mapping).toEqual({ uids: [{ inside: 0, outside: uid, count: 1 }], gids: [{ inside: 0, outside: gid, count: 1 }], singleIdReason: 'a single-id mapping was asked for' });
    expect(end).toEqual({ code: 7, signal: null });
    const [innerUid, innerGid, uidMap, setgroups] = stdout.trim().split('\n');
    expect([innerUid, innerGid]).toEqual(['0', '0']);
    expect(parseIdMap(uidMap)).toEqual([{ inside: 0, outside: uid, count: 1 }]);
    expect(setgroups).toBe('deny');
  });

  it('falls back to the single-id mapping, saying why, when the user has no subordinate ids', async () => {
    const work = await dir();
    const empty = path.join(work, 'subid');
    await writeFile(empty, 'someone-else:100000:65536\n');
    const { mapping, end } = await inNamespace('true', { subuidFile: empty, subgidFile: empty });
    expect(end.code).toBe(0);
    expect(mapping).toMatchObject({ uids: [{ inside: 0, outside: uid, count: 1 }], singleIdReason: expect.stringContaining('no subordinate uids in /etc/subuid') });
  });

  const ranges = readSubordinateIds('/etc/subuid', userName, uid);
  const haveRanges = ranges.length > 0 && readSubordinateIds('/etc/subgid', userName, uid).length > 0 && which('newuidmap') !== undefined;
  it.runIf(haveRanges)("maps the user's subordinate ids from 1 on with newuidmap and newgidmap", async () => {
    const { mapping, stdout } = await inNamespace('cat /proc/self/uid_map');
    expect(mapping).toMatchObject({ uids: [{ inside: 0, outside: uid, count: 1 }, { inside: 1, outside: ranges[0].start, count: ranges[0].count }] });
    expect((mapping as { singleIdReason?: string }).singleIdReason).toBeUndefined();
    expect(parseIdMap(stdout)).toEqual((mapping as { uids: unknown }).uids);
  });

  it('reports why no namespace could be made, with what unshare said', async () => {
    const work = await dir();
    const fake = path.join(work, 'unshare');
    await writeFile(fake, '#!/bin/sh\necho "unshare: unshare failed: Operation not permitted" >&2\nexit 1\n');
    await chmod(fake, 0o755);
    const saved = process.env.PATH;
    process.env.PATH = `${work}:${saved ?? ''}`;
    let child: ReturnType<typeof spawnInUserNamespace>;
    try {
      child = spawnInUserNamespace(['true'], { stdio: ['ignore', 'ignore', 'ignore'] });
    } finally {
      process.env.PATH = saved;
    }
    await expect(child.mapped).rejects.toMatchObject({ code: 'EXECUTOR_USER_NAMESPACE_FAILED', message: expect.stringContaining('unshare failed: Operation not permitted') });
    expect((await child.exited).code).toBe(1);
  });
});
