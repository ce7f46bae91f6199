import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { exportImage, openImage, openVerifiedBlob, type ImageSource } from '../../src/image/index.js';
import { busyboxImage } from '../fixtures/busybox-image.js';
import { tempDirs } from '../fixtures/temp-dir.js';
import { run, which } from '../fixtures/tools.js';

/** The tests' base image (scripts/make-busybox-image.sh: the host's busybox-static, packed by umoci) read back. */
const busybox = await busyboxImage();
const tempDir = tempDirs('busybox');

interface Member {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  linkname?: string;
  content?: string;
}

async function layerMembers(image: ImageSource, layer: number): Promise<Map<string, Member>> {
  const members = new Map<string, Member>();
  const extract = tar.extract();
  const done = (async () => {
    for await (const entry of extract) {
      const { header } = entry;
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const name = header.name.replace(/^\.\//, '').replace(/\/$/, '');
      const member: Member = { type: header.type, mode: header.mode, uid: header.uid, gid: header.gid };
      if (header.linkname) member.linkname = header.linkname;
      if (header.type === 'file' && header.size < 4096) member.content = Buffer.concat(chunks).toString();
      members.set(name, member);
    }
  })();
  await pipeline(await openVerifiedBlob(image, image.manifest.layers[layer]), createGunzip(), extract as unknown as NodeJS.WritableStream);
  await done;
  return members;
}

describe.skipIf(!busybox)('busybox base image', () => {
  it('reads back through our reader: config, and a rootfs with busybox, applets, users and /tmp', async () => {
    const image = await openImage(busybox!.reference);
    expect(image.platform.os).toBe('linux');
    expect(image.config.config?.Cmd).toEqual(['sh']);
    expect(image.config.config?.Env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    expect(image.manifest.layers).toHaveLength(1);
    expect(image.config.history?.length).toBeGreaterThanOrEqual(2);

    const members = await layerMembers(image, 0);
    await image.close();
    expect(members.get('bin/busybox')).toMatchObject({ type: 'file', mode: 0o755, uid: 0, gid: 0 });
    for (const applet of ['sh', 'ls', 'cat', 'echo', 'mkdir', 'rm', 'touch', 'id', 'env']) {
      expect(members.get(`bin/${applet}`)).toMatchObject({ type: 'symlink', linkname: 'busybox' });
    }
    expect(members.get('tmp')).toMatchObject({ type: 'directory', mode: 0o1777 });
    expect(members.get('root')).toMatchObject({ type: 'directory', mode: 0o700 });
    expect(members.get('etc/passwd')?.content).toMatch(/^root:x:0:0:.*\nnobody:x:65534:65534:/);
    expect(members.get('etc/group')?.content).toMatch(/^root:x:0:\nnobody:x:65534:/);
  });

  it('is rebuilt byte-identically from the same busybox (fixed timestamps)', async () => {
    const out = path.join(await tempDir(), 'again');
    const { busyboxScript } = await import('../fixtures/busybox-image.js');
    await run('bash', [busyboxScript, out, 'again']);
    const first = await openImage(busybox!.reference);
    const second = await openImage(`oci-layout://${out}:again`);
    expect(second.manifestDescriptor.digest).toBe(first.manifestDescriptor.digest);
    await Promise.all([first.close(), second.close()]);
  });

  it.skipIf(process.getuid?.() !== 0 || !which('chroot'))('runs: re-exported by us, unpacked by umoci, sh runs in it', async () => {
    const work = await tempDir();
    const image = await openImage(busybox!.reference);
    await exportImage(`oci-layout://${work}/layout:copy`, image, image.manifestDescriptor);
    await image.close();
    await run('umoci', ['unpack', '--image', `${work}/layout:copy`, `${work}/bundle`]);
    const { stdout } = await run('chroot', [`${work}/bundle/rootfs`, '/bin/sh', '-c', 'echo hello from $(id -un); ls -d /tmp']);
    expect(stdout).toBe('hello from root\n/tmp\n');
  });
});
