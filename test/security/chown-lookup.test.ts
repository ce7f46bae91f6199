/**
 * `COPY --chown=name` and WORKDIR after `USER name` look the name up in the stage's /etc/passwd and /etc/group, read
 * inside the stage's root: an absolute symlink there is resolved in the rootfs, as RUN's USER lookup and BuildKit
 * do, never followed to the host file of the same path.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../../src/builder/index.js';
import { listLayer } from '../layers/helpers.js';
import { readLayoutBlob } from '../support/oci-layout.js';
import { useSandboxes } from './support.js';

const sandbox = useSandboxes('chown-lookup');

describe('--chown and USER names, with /etc/passwd and /etc/group as absolute symlinks', () => {
  it('reads the files the links name inside the stage, not the host files at the same paths', async () => {
    const box = await sandbox(['context', 'cache', 'out']);
    const context = box.dir('context');
    // The same absolute path holds one passwd on the host and another inside the stage's rootfs.
    const hostFiles = path.join(context, 'host-files');
    await mkdir(hostFiles);
    await writeFile(path.join(hostFiles, 'passwd'), 'app:x:1:1::/:/bin/false\n');
    await writeFile(path.join(hostFiles, 'group'), 'staff:x:2:\n');
    const stage = path.join(context, 'stage');
    await mkdir(path.join(stage, hostFiles), { recursive: true });
    await writeFile(path.join(stage, hostFiles, 'passwd'), 'app:x:4242:4343::/:/bin/false\n');
    await writeFile(path.join(stage, hostFiles, 'group'), 'staff:x:5151:\n');
    await mkdir(path.join(stage, 'etc'));
    await symlink(path.join(hostFiles, 'passwd'), path.join(stage, 'etc', 'passwd'));
    await symlink(path.join(hostFiles, 'group'), path.join(stage, 'etc', 'group'));
    await writeFile(path.join(context, 'f'), 'x\n');
    await writeFile(path.join(context, 'Dockerfile'), ['FROM scratch AS stage', 'COPY stage/ /', 'FROM stage', 'COPY --chown=app f /by-user', 'COPY --chown=app:staff f /by-group', 'USER app', 'WORKDIR /made/by/app', ''].join('\n'));

    const result = await build({ context, cacheDir: box.dir('cache'), outputs: [{ type: 'oci-layout', dest: box.dir('out') }] });
    const owners = new Map<string, string>();
    for (const layer of result.manifest.layers.slice(1)) {
      const bytes = await readLayoutBlob(box.dir('out'), layer.digest);
      for (const { header } of await listLayer(bytes)) owners.set(header.name.replace(/\/$/, ''), `${header.uid}:${header.gid}`);
    }
    expect(owners.get('by-user')).toBe('4242:4343');
    expect(owners.get('by-group')).toBe('4242:5151');
    expect(owners.get('made/by/app')).toBe('4242:4343');
    await box.expectOutsideUntouched();
  });
});
