import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, cp, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnInUserNamespace } from '../../src/executor/index.js';
import { busyboxImage } from '../fixtures/busybox-image.js';
import { toolsAvailable, which } from '../fixtures/tools.js';
import { listLayer } from '../layers/helpers.js';
import { writeContext } from './build-support.js';
import { isRoot, repoRoot, rootlessUnsupported } from './rootless-support.js';

/**
 * The CLI run without root (bin/build-image.js, which runs dist/: `npm test` builds it): it runs itself again as
 * root of a user namespace and builds with RUN. With the user's subordinate ids mapped (CI runs this file as an
 * unprivileged user .ci/run sets up), and with only the user's own id mapped (BUILD_IMAGE_USERNS=single; run as
 * root, the test becomes nobody, who has no subordinate ids).
 */
const made: string[] = [];
afterAll(() => Promise.all(made.map(removeTree)));
const distBuilt = existsSync(path.join(repoRoot, 'dist/cli/index.js'));
const haveTools = toolsAvailable('rootless RUN', ['crun', 'umoci', 'unshare', 'setpriv'], ['crun', 'umoci', 'util-linux']);
if (!distBuilt) {
  const message = 'SKIPPED rootless RUN: dist/ is not built (npm run build)';
  if (process.env.CI === 'true') throw new Error(`${message} (required when CI=true)`);
  console.warn(`\n*** ${message} ***\n`);
}
const NOBODY = 65534;

interface CliRun {
  code: number | null;
  stderr: string;
}

/** Runs the CLI as this user, or as nobody when this process is root. */
function runCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const cli = [process.execPath, path.join(repoRoot, 'bin/build-image.js'), ...args];
  const [command, ...rest] = isRoot ? [which('setpriv')!, `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', ...cli] : cli;
  return new Promise((resolve, reject) => {
    const child = spawn(command, rest, { env: { ...process.env, BUILDKIT_PROGRESS: 'plain', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** A work dir the CLI's user owns, with the busybox image copied in (the fixture's is private to its maker). */
async function workspace(files: Record<string, string>): Promise<{ work: string; context: string; busybox: string } | undefined> {
  const image = await busyboxImage();
  if (!image || !haveTools || !distBuilt) return undefined;
  const work = await mkdtemp(path.join(os.tmpdir(), 'build-image-rootless-'));
  made.push(work);
  const busybox = path.join(work, 'busybox');
  await cp(image.layout, busybox, { recursive: true });
  const context = await writeContext(path.join(work, 'context'), files);
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

function build(space: { work: string; context: string; busybox: string }, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return runCli(
    [
      '--cache-dir',
      path.join(space.work, 'cache'),
      '--build-context',
      `busybox=oci-layout://${space.busybox}:latest`,
      '--output',
      `type=oci,dest=${path.join(space.work, 'out')},tar=false`,
      space.context,
    ],
    { TMPDIR: space.work, HOME: space.work, ...env },
  );
}

/** Each layer of the built image after the base's: entry name → owner. */
async function layerOwners(layout: string): Promise<Map<string, string>[]> {
  const blob = (digest: string) => path.join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length));
  const index = JSON.parse(await readFile(path.join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const manifest = JSON.parse(await readFile(blob(index.manifests[0].digest), 'utf8')) as { layers: { digest: string }[] };
  const layers: Map<string, string>[] = [];
  for (const layer of manifest.layers.slice(1)) {
    const entries = await listLayer(await readFile(blob(layer.digest)));
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

    await writeContext(space.context, { Dockerfile: 'FROM busybox\nUSER nobody\nRUN true\n' });
    if (isRoot) await chownTree(space.context, NOBODY, NOBODY);
    const asNobody = await build(space, { BUILD_IMAGE_USERNS: 'single' });
    expect(asNobody.code).toBe(1);
    expect(asNobody.stderr).toContain('uid 65534 and gid 65534 cannot be used in this user namespace, which maps only uid 0');
  }, 120_000);
});
