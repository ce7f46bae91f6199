import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../../src/builder/index.js';
import { ContentStore } from '../../src/cache/index.js';
import type { BusyboxImage } from '../fixtures/busybox-image.js';
import { writeTree } from '../fixtures/file-tree.js';
import { tempDirs } from '../fixtures/temp-dir.js';
import { buildArgs, mountsMentioning, printedDigest, processesMentioning, runBuildPrerequisites, runCliOrThrow, seededBytes, startCli } from './support.js';

/**
 * Builds sharing one store, as separate processes (the CLI): four at once, of identical and different projects
 * whose first steps are the same (so they race to write the same layers and unpack the same snapshots), and a
 * cold build with two prune loops running against it. Each build must give the digest it gives alone (built in
 * this process in a store of its own), and the store must verify afterwards with nothing left in tmp/ or leases/.
 */
const tempDir = tempDirs('hardening-concurrency');

/** Same FROM and first COPY in every project; the rest differs by `name`. */
function project(name: string): Record<string, string | Buffer> {
  return {
    Dockerfile: ['FROM busybox', 'COPY shared.bin /shared/', `RUN echo ${name} > /name && wc -c /shared/shared.bin > /size`, `COPY own/ /own/`, `RUN cp /own/own.bin /own/copy-${name}`, ''].join('\n'),
    'shared.bin': seededBytes(7, 256 * 1024),
    'own/own.bin': seededBytes(name.length * 1000 + name.charCodeAt(0), 96 * 1024),
  };
}

async function soloDigest(context: string, busybox: BusyboxImage): Promise<string> {
  const cacheDir = await tempDir();
  const result = await build({ context, cacheDir, buildContexts: { busybox: busybox.reference }, outputs: [{ type: 'oci-layout', dest: path.join(cacheDir, 'out') }], sourceDateEpoch: 0 });
  return result.digest;
}

async function expectConsistent(cacheDir: string): Promise<void> {
  const store = await ContentStore.open({ root: cacheDir });
  const report = await store.verify();
  expect(report).toMatchObject({ ok: true, corrupt: [], missing: [], strays: [], leftovers: [], invalidRoots: [], mounts: [] });
  expect(await readdir(path.join(cacheDir, 'tmp'))).toEqual([]);
  expect(await readdir(path.join(cacheDir, 'leases'))).toEqual([]);
  expect(await mountsMentioning(cacheDir)).toEqual([]);
  expect(await processesMentioning(cacheDir)).toEqual([]);
}

describe('builds sharing one store', () => {
  it('four builds at once (two identical, two different projects) succeed with their solo digests', { timeout: 240_000 }, async () => {
    const busybox = await runBuildPrerequisites('concurrent builds');
    if (!busybox) return;
    const work = await tempDir();
    const names = ['alpha', 'alpha', 'beta', 'gamma'];
    const contexts = names.map((name, index) => writeTree(path.join(work, `context-${index}`), project(name)));
    const solo = new Map<string, string>();
    for (const [index, name] of names.entries()) if (!solo.has(name)) solo.set(name, await soloDigest(contexts[index], busybox));
    expect(new Set(solo.values()).size).toBe(3);

    const cacheDir = path.join(work, 'shared-cache');
    const runs = await Promise.all(contexts.map((context, index) => runCliOrThrow(buildArgs(context, cacheDir, path.join(work, `out-${index}`), busybox))));
    expect(runs.map((run) => printedDigest(run.stdout))).toEqual(names.map((name) => solo.get(name)));
    await expectConsistent(cacheDir);
  });

  it('a cold build with two prune loops racing it succeeds with its solo digest; prune spares what the build uses', { timeout: 240_000 }, async () => {
    const busybox = await runBuildPrerequisites('build racing prune');
    if (!busybox) return;
    const work = await tempDir();
    const context = writeTree(path.join(work, 'context'), project('delta'));
    const expected = await soloDigest(context, busybox);

    const cacheDir = path.join(work, 'cache');
    const building = startCli(buildArgs(context, cacheDir, path.join(work, 'out'), busybox));
    let done = false;
    const finished = building.exit.finally(() => (done = true));
    let prunes = 0;
    const pruneLoop = async () => {
      while (!done) {
        const pruned = startCli(['prune', '--cache-dir', cacheDir]);
        const end = await pruned.exit;
        expect(end.code, end.stderr).toBe(0);
        prunes++;
      }
    };
    const [end] = await Promise.all([finished, pruneLoop(), pruneLoop()]);
    expect(end.code, end.stderr).toBe(0);
    expect(printedDigest(end.stdout)).toBe(expected);
    expect(prunes).toBeGreaterThanOrEqual(2);

    // The image stays whole after one more prune: its root keeps every blob it needs (verify: none missing).
    await runCliOrThrow(['prune', '--cache-dir', cacheDir]);
    await expectConsistent(cacheDir);
  });
});
