import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveRunUser } from '../../../src/builder/run/run-user.js';
import { tempDirs } from '../../fixtures/temp-dir.js';

const dir = tempDirs('run-user');
let root: string;

beforeAll(async () => {
  root = await dir();
  await mkdir(path.join(root, 'etc'));
  await writeFile(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\nweb:x:33:33::/var/www:/bin/sh\n');
  await writeFile(path.join(root, 'etc/group'), 'root:x:0:\napp:x:1000:\nwww:x:33:app\nstaff:x:50:app,web\n');
});

describe('resolveRunUser', () => {
  it('is root with no USER', async () => {
    expect(await resolveRunUser(undefined, root)).toEqual({ uid: 0, gid: 0, additionalGids: [] });
  });

  it('takes uid:gid in numbers as they are, even without files', async () => {
    expect(await resolveRunUser('123:456', undefined)).toEqual({ uid: 123, gid: 456, additionalGids: [] });
  });

  it('looks up a name, with its primary group and the groups listing it', async () => {
    expect(await resolveRunUser('app', root)).toEqual({ uid: 1000, gid: 1000, additionalGids: [33, 50] });
  });

  it('uses a number without a passwd entry with gid 0, and one with an entry with its group', async () => {
    expect(await resolveRunUser('4242', root)).toEqual({ uid: 4242, gid: 0, additionalGids: [] });
    expect(await resolveRunUser('33', root)).toEqual({ uid: 33, gid: 33, additionalGids: [50] });
  });

  it('resolves an explicit group by name, replacing the supplementary groups', async () => {
    expect(await resolveRunUser('app:staff', root)).toEqual({ uid: 1000, gid: 50, additionalGids: [50] });
  });

  it('refuses unknown names with a typed error', async () => {
    await expect(resolveRunUser('nobody-here', root)).rejects.toMatchObject({ code: 'UNKNOWN_USER_OR_GROUP' });
    await expect(resolveRunUser('app:nogroup', root)).rejects.toMatchObject({ code: 'UNKNOWN_USER_OR_GROUP' });
  });
});
