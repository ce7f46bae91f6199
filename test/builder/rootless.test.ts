import { chown, cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnInUserNamespace } from '../../src/executor/index.js';
import type { ImageManifest } from '../../src/image/index.js';
import { busyboxImage } from '../fixtures/busybox-image.js';
import { writeTree } from '../fixtures/file-tree.js';
import { toolsAvailable, which } from '../fixtures/tools.js';
import { listLayer } from '../layers/helpers.js';
import { distAvailable, runCliProcess, type CliProcessResult } from '../support/cli-process.js';
import { readLayoutBlob, readLayoutIndex, readLayoutJson } from '../support/oci-layout.js';
import { isRoot, rootlessUnsupported } from './rootless-support.js';

/**
 * The CLI run without root (bin/build-image.js, which runs dist/: `npm test` builds it): it runs itself again as
 * root of a user namespace and builds with RUN. With the user's subordinate ids mapped (CI runs this file as an
 * unprivileged user .ci/run sets up), and with only the user's own id mapped (BUILD_IMAGE_USERNS=single; run as
 * root, the test becomes nobody, who has no subordinate ids).
 */
const made: string[] = [];
afterAll(() => Promise.all(made.map(removeTree)));
const distBuilt = distAvailable('rootless RUN');
const haveTools = toolsAvailable('rootless RUN', ['crun', 'umoci', 'unshare', 'setpriv'], ['crun', 'umoci', 'util-linux']);
const NOBODY = 65534;

/** A work dir the CLI's user owns, with the busybox image copied in (the fixture's is private to its maker). */
async function workspace(files: Record<string, string>): Promise<{ work: string; context: string; busybox: string } | undefined> {
  const image = await busyboxImage();
  if (!image || !haveTools || !distBuilt) return undefined;
  const work = await mkdtemp(path.join(os.tmpdir(), 'build-image-rootless-'));
  made.push(work);
  const busybox = path.join(work, 'busybox');
  await cp(image.layout, busybox, { recursive: true });
  const context = writeTree(path.join(work, 'context'), files);
  if (isRoot) await chownTree(work, NOBODY, NOBODY);
  return { work, context, busybox };
}

/** Snapshots hold files of the namespace's other ids, which only its root may remove (as with buildah). */
async function removeTree(root: string): Promise<void> {
  if (isRoot) return rm(root, { recursive: true, force: true });
  const child = spawnInUserNamespace(['rm', '-rf', '--', root], { stdio: ['ignore', 'ignore', 'inherit'] });
  await child.mapped;
  await child.exited;
}

async function chownTree(root: string, uid: number, gid: number): Promise<void> {
  await chown(root, uid, gid);
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) await chown(path.join(entry.parentPath, entry.name), uid, gid);
}

/** Builds `space` with the CLI as this user, or as nobody when this process is root. */
function build(space: { work: string; context: string; busybox: string }, env: NodeJS.ProcessEnv = {}): Promise<CliProcessResult> {
  return runCliProcess(
    [
      '--cache-dir',
      path.join(space.work, 'cache'),
      '--build-context',
      `busybox=oci-layout://${space.busybox}:latest`,
      '--output',
      `type=oci,dest=${path.join(space.work, 'out')},tar=false`,
      space.context,
    ],
    {
      env: { ...process.env, BUILDKIT_PROGRESS: 'plain', TMPDIR: space.work, HOME: space.work, ...env },
      wrapper: isRoot ? [which('setpriv')!, `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--'] : [],
    },
  );
}

/** Each layer of the built image after the base's: entry name → owner. */
async function layerOwners(layout: string): Promise<Map<string, string>[]> {
  const index = await readLayoutIndex(layout);
  const manifest = await readLayoutJson<ImageManifest>(layout, index.manifests[0].digest);
  const layers: Map<string, string>[] = [];
  for (const layer of manifest.layers.slice(1)) {
    const entries = await listLayer(await readLayoutBlob(layout, layer.digest));
    layers.push(new Map(entries.map(({ header }) => [header.name.replace(/\/$/, ''), `${header.uid}:${header.gid}`])));
  }
  return layers;
}

describe('RUN without root', () => {
  it.skipIf(isRoot)("maps the user's subordinate ids: root's files are 0:0, nobody's 65534, in RUN, USER and COPY --chown", async () => {
    if (rootlessUnsupported('rootless RUN with subordinate ids') !== undefined) return;
    const space = await workspace({
      Dockerfile: [
        'FROM busybox',
        'RUN mkdir /app && echo made > /app/by-root && touch /app/given && chown nobody:nobody /app/given && chown nobody /app',
        'COPY --chown=nobody:nobody data.txt /app/data.txt',
        'USER nobody',
        'RUN id -u > /app/by-nobody',
        '',
      ].join('\n'),
      'data.txt': 'data\n',
    });
    if (!space) return;
    const { code, stderr } = await build(space);
    expect(code, stderr).toBe(0);
    expect(stderr).not.toContain('warning');
    const [rootRun, copied, nobodyRun] = await layerOwners(path.join(space.work, 'out'));
    expect(Object.fromEntries(rootRun)).toEqual({ app: '65534:0', 'app/by-root': '0:0', 'app/given': '65534:65534' });
    expect(copied.get('app/data.txt')).toBe('65534:65534');
    expect(nobodyRun.get('app/by-nobody')).toBe('65534:65534');
    // The store is the user's: made by the namespace's root, which is the user outside.
    expect((await stat(path.join(space.work, 'cache'))).uid).toBe(process.getuid!());
    expect((await stat(path.join(space.work, 'out', 'index.json'))).uid).toBe(process.getuid!());
  }, 120_000);

  it("maps only the user's own id when asked to or when it has no subordinate ids, and says what that costs", async () => {
    const space = await workspace({
      Dockerfile: ['FROM busybox', 'RUN echo made > /by-root', 'COPY --chown=nobody data.txt /data.txt', ''].join('\n'),
      'data.txt': 'data\n',
    });
    if (!space) return;
    const { code, stderr } = await build(space, { BUILD_IMAGE_USERNS: 'single' });
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('the user namespace maps only your own user to root');
    const [rootRun, copied] = await layerOwners(path.join(space.work, 'out'));
    expect(rootRun.get('by-root')).toBe('0:0');
    expect(copied.get('data.txt')).toBe('65534:65534');

    writeTree(space.context, { Dockerfile: 'FROM busybox\nUSER nobody\nRUN true\n' });
    if (isRoot) await chownTree(space.context, NOBODY, NOBODY);
    const asNobody = await build(space, { BUILD_IMAGE_USERNS: 'single' });
    expect(asNobody.code).toBe(1);
    expect(asNobody.stderr).toContain('uid 65534 and gid 65534 cannot be used in this user namespace, which maps only uid 0');
  }, 120_000);
});
