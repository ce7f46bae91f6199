import { lstat, readFile, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportImage, openImage, readBlob, type ContainerConfig } from '../../src/image/index.js';
import { makeTestImage, type LayerEntry, type TestImage } from '../fixtures/layers.js';
import { tempDirs } from '../fixtures/temp-dir.js';
import { run, toolsAvailable, which } from '../fixtures/tools.js';

/**
 * What this package writes, checked by the tools that consume images: skopeo (inspect, copy between oci,
 * oci-archive and docker-archive), umoci (unpack: files, modes, owners, links, whiteouts) and oci-image-tool
 * (schema validation). And the other way round: what those tools write reads back through this package.
 */
const ready = toolsAvailable('image validation by real tools', ['skopeo', 'umoci', 'oci-image-tool'], ['skopeo', 'umoci', 'oci-image-tool']);
const tempDir = tempDirs('real-tools');
const isRoot = process.getuid?.() === 0;

const base: LayerEntry[] = [
  { type: 'directory', path: 'etc/', mode: 0o755 },
  { type: 'file', path: 'etc/app.conf', content: 'key=value\n', mode: 0o640, uid: 1000, gid: 1001 },
  { type: 'directory', path: 'bin/', mode: 0o755 },
  { type: 'file', path: 'bin/tool', content: '#!/bin/sh\necho tool\n', mode: 0o755 },
  { type: 'link', path: 'bin/tool-hard', target: 'bin/tool' },
  { type: 'file', path: 'bin/setuid', content: 'x', mode: 0o4755 },
  { type: 'directory', path: 'data/', mode: 0o700, uid: 1234, gid: 5678 },
  { type: 'file', path: 'data/secret', content: 's', mode: 0o600, uid: 1234, gid: 5678 },
  { type: 'symlink', path: 'conf', target: 'etc/app.conf', uid: 1000, gid: 1001 },
  { type: 'symlink', path: 'abs', target: '/etc/app.conf' },
  { type: 'directory', path: 'tmp/', mode: 0o1777 },
];
const top: LayerEntry[] = [
  { type: 'file', path: 'etc/new', content: 'new\n', mode: 0o644 },
  { type: 'file', path: 'bin/.wh.setuid', content: '' },
];
const containerConfig: ContainerConfig = {
  User: '1000:1001',
  Env: ['PATH=/bin', 'GREETING=hello world'],
  Entrypoint: ['/bin/tool'],
  Cmd: ['--flag'],
  WorkingDir: '/data',
  ExposedPorts: { '8080/tcp': {} },
  Volumes: { '/data': {} },
  Labels: { 'org.opencontainers.image.title': 'test' },
  StopSignal: 'SIGINT',
  Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 10_000_000_000, Retries: 2 },
  OnBuild: ['RUN echo child'],
  Shell: ['/bin/sh', '-c'],
};

let image: TestImage | undefined;
async function testImage(): Promise<TestImage> {
  image ??= await makeTestImage({ layers: [base, top], config: { config: containerConfig, author: 'tests' } });
  return image;
}

async function json(command: string, args: string[]): Promise<any> {
  return JSON.parse((await run(command, args)).stdout);
}

describe.skipIf(!ready)('validation by real tools', () => {
  it('skopeo inspects our OCI layout, and oci-image-tool validates it', async () => {
    const { manifest, layers, configValue } = await testImage();
    const dir = path.join(await tempDir(), 'layout');
    await exportImage(`oci-layout://${dir}:v1`, (await testImage()).blobs, manifest.descriptor);

    const inspected = await json('skopeo', ['inspect', `oci:${dir}:v1`]);
    expect(inspected.Digest).toBe(manifest.descriptor.digest);
    expect(inspected.Layers).toEqual(layers.map((layer) => layer.descriptor.digest));
    expect(inspected.Architecture).toBe('amd64');
    expect(inspected.Os).toBe('linux');
    expect(inspected.Env).toEqual(containerConfig.Env);
    expect(inspected.Labels).toEqual(containerConfig.Labels);
    // --raw: skopeo's own config struct would drop Docker's OnBuild and Shell.
    expect(await json('skopeo', ['inspect', '--config', '--raw', `oci:${dir}:v1`])).toEqual(configValue);
    expect(await json('skopeo', ['inspect', '--raw', `oci:${dir}:v1`])).toEqual(JSON.parse(manifest.bytes.toString()));

    const validated = await run('oci-image-tool', ['validate', '--type', 'image', '--ref', 'name=v1', dir]);
    expect(validated.stdout).toContain('Validation succeeded');
  });

  it('umoci unpacks our layout: files, modes, owners, links and whiteouts are what the layers say', async () => {
    const { manifest, blobs } = await testImage();
    const work = await tempDir();
    const dir = path.join(work, 'layout');
    await exportImage(`oci-layout://${dir}:v1`, blobs, manifest.descriptor);
    const bundle = path.join(work, 'bundle');
    await run('umoci', ['unpack', ...(isRoot ? [] : ['--rootless']), '--image', `${dir}:v1`, bundle]);
    const rootfs = path.join(bundle, 'rootfs');
    const at = (name: string): string => path.join(rootfs, name);

    expect(await readFile(at('etc/app.conf'), 'utf8')).toBe('key=value\n');
    expect(await readFile(at('etc/new'), 'utf8')).toBe('new\n');
    expect((await stat(at('etc/app.conf'))).mode & 0o7777).toBe(0o640);
    expect((await stat(at('bin/tool'))).mode & 0o7777).toBe(0o755);
    expect((await stat(at('data'))).mode & 0o7777).toBe(0o700);
    expect((await stat(at('tmp'))).mode & 0o7777).toBe(0o1777);
    expect((await stat(at('bin/tool-hard'))).ino).toBe((await stat(at('bin/tool'))).ino);
    expect(await readlink(at('conf'))).toBe('etc/app.conf');
    expect(await readlink(at('abs'))).toBe('/etc/app.conf');
    expect((await lstat(at('conf'))).isSymbolicLink()).toBe(true);
    await expect(lstat(at('bin/setuid'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(lstat(at('bin/.wh.setuid'))).rejects.toMatchObject({ code: 'ENOENT' });
    if (isRoot) {
      expect(await stat(at('etc/app.conf'))).toMatchObject({ uid: 1000, gid: 1001 });
      expect(await stat(at('data/secret'))).toMatchObject({ uid: 1234, gid: 5678 });
      expect(await lstat(at('conf'))).toMatchObject({ uid: 1000, gid: 1001 });
      expect(await stat(at('bin/tool'))).toMatchObject({ uid: 0, gid: 0 });
    }

    // umoci's runtime spec comes from our config.
    const spec = JSON.parse(await readFile(path.join(bundle, 'config.json'), 'utf8'));
    expect(spec.process.args).toEqual(['/bin/tool', '--flag']);
    expect(spec.process.env).toEqual(expect.arrayContaining(['PATH=/bin', 'GREETING=hello world']));
    expect(spec.process.cwd).toBe('/data');
    if (isRoot) expect(spec.process.user).toMatchObject({ uid: 1000, gid: 1001 });
  });

  it('skopeo copies our layout to docker-archive and oci-archive, and we read both', async () => {
    const { manifest, blobs, config, configValue } = await testImage();
    const work = await tempDir();
    const dir = path.join(work, 'layout');
    await exportImage(`oci-layout://${dir}:v1`, blobs, manifest.descriptor);

    const dockerArchive = path.join(work, 'skopeo-docker.tar');
    await run('skopeo', ['copy', '--quiet', `oci:${dir}:v1`, `docker-archive:${dockerArchive}:example/app:v1`]);
    const fromDocker = await openImage(`docker-archive:${dockerArchive}:example/app:v1`);
    expect(fromDocker.config).toEqual(configValue);
    expect(fromDocker.config.rootfs.diff_ids).toEqual(configValue.rootfs.diff_ids);
    expect(fromDocker.manifest.layers.map((layer) => layer.digest)).toEqual(configValue.rootfs.diff_ids);
    await readBlob(fromDocker, fromDocker.manifest.layers[1]);
    await fromDocker.close();
    // skopeo writes full names in RepoTags; a short name finds them.
    const short = await openImage(`docker-archive:${dockerArchive}:example/app:v1`);
    expect(short.configDescriptor.digest).toBe(config.descriptor.digest);
    await short.close();

    const ociArchive = path.join(work, 'skopeo-oci.tar');
    await run('skopeo', ['copy', '--quiet', `oci:${dir}:v1`, `oci-archive:${ociArchive}:copied`]);
    const fromOci = await openImage(`oci-archive:${ociArchive}:copied`);
    expect(fromOci.manifestDescriptor.digest).toBe(manifest.descriptor.digest);
    expect(fromOci.configDescriptor.digest).toBe(config.descriptor.digest);
    await fromOci.close();
  });

  it('skopeo reads our docker-archive and oci-archive', async () => {
    const { manifest, blobs, configValue } = await testImage();
    const work = await tempDir();
    const dockerArchive = path.join(work, 'ours-docker.tar');
    await exportImage(`docker-archive:${dockerArchive}:example/app:v2`, blobs, manifest.descriptor);
    const inspected = await json('skopeo', ['inspect', `docker-archive:${dockerArchive}`]);
    expect(inspected.Layers).toEqual(configValue.rootfs.diff_ids);
    expect(await json('skopeo', ['inspect', '--config', '--raw', `docker-archive:${dockerArchive}:example/app:v2`])).toEqual(configValue);
    await expect(run('skopeo', ['inspect', `docker-archive:${dockerArchive}:example/app:nope`])).rejects.toThrow();

    const copied = path.join(work, 'copied');
    await run('skopeo', ['copy', '--quiet', `docker-archive:${dockerArchive}`, `oci:${copied}:back`]);
    const back = await openImage(`oci-layout://${copied}:back`);
    // Converting to OCI, skopeo re-encodes the config (and drops Docker's OnBuild and Shell).
    expect(back.config.config?.Entrypoint).toEqual(containerConfig.Entrypoint);
    expect(back.config.rootfs.diff_ids).toEqual(configValue.rootfs.diff_ids);
    await back.close();
    await run('oci-image-tool', ['validate', '--type', 'image', copied]);

    const ociArchive = path.join(work, 'ours-oci.tar');
    await exportImage(`oci-archive:${ociArchive}:v3`, blobs, manifest.descriptor);
    expect((await json('skopeo', ['inspect', `oci-archive:${ociArchive}:v3`])).Digest).toBe(manifest.descriptor.digest);
    const unpackedFromArchive = path.join(work, 'from-archive');
    await run('skopeo', ['copy', '--quiet', `oci-archive:${ociArchive}:v3`, `oci:${unpackedFromArchive}:v3`]);
    await run('oci-image-tool', ['validate', '--type', 'image', '--ref', 'name=v3', unpackedFromArchive]);
  });

  it.skipIf(!which('docker'))('docker load accepts our docker-archive (when a Docker daemon is reachable)', async () => {
    const daemon = await run('docker', ['info', '--format', '{{.ServerVersion}}']).then(
      (result) => result.stdout.trim(),
      () => undefined,
    );
    if (!daemon) {
      console.warn('\n*** SKIPPED docker load check: no Docker daemon reachable ***\n');
      return;
    }
    const { manifest, blobs, configValue } = await testImage();
    const file = path.join(await tempDir(), 'load.tar');
    const tag = `build-image-test/docker-load:${process.pid}`;
    await exportImage(`docker-archive:${file}:${tag}`, blobs, manifest.descriptor);
    try {
      expect((await run('docker', ['load', '-i', file])).stdout).toContain(tag);
      const [inspected] = await json('docker', ['image', 'inspect', tag]);
      expect(inspected.RootFS.Layers).toEqual(configValue.rootfs.diff_ids);
      expect(inspected.Config.Entrypoint).toEqual(containerConfig.Entrypoint);
      // And what `docker save` writes reads back, config bytes unchanged.
      const saved = path.join(path.dirname(file), 'saved.tar');
      await run('docker', ['save', '-o', saved, tag]);
      const back = await openImage(`docker-archive:${saved}:${tag}`);
      expect(back.configDescriptor.digest).toBe((await testImage()).config.descriptor.digest);
      await back.close();
    } finally {
      await run('docker', ['image', 'rm', tag]).catch(() => undefined);
    }
  });
});
