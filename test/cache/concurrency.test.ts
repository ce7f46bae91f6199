import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ContentStore } from '../../src/cache/index.js';
import type { WorkerReport } from '../fixtures/store-worker.js';
import { tempDirs } from '../fixtures/temp-dir.js';

/**
 * Real processes on one store: two writers storing the same and different blobs and snapshots at once, a prune
 * running all the while, and a writer killed mid-write. No mocks, no timing assumptions: the processes start
 * together through a barrier, and the checks look at the store afterwards.
 */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const worker = fileURLToPath(new URL('../fixtures/store-worker.ts', import.meta.url));
const tempDir = tempDirs('concurrency');

interface Running {
  done: Promise<string>;
  exited: boolean;
}

function start(args: string[]): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const running: Running = { exited: false, done: Promise.resolve('') };
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  running.done = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      running.exited = true;
      if (code === 0) resolve(stdout);
      else reject(new Error(`worker ${args.join(' ')} exited with ${code ?? signal}: ${stderr}`));
    });
  });
  return running;
}

async function writers(root: string, count: number): Promise<{ runs: Running[]; reports: () => Promise<WorkerReport[]> }> {
  const barrier = path.join(path.dirname(root), 'barrier');
  await mkdir(barrier, { recursive: true });
  const runs = ['1', '2'].map((id) => start(['write', root, id, String(count), barrier]));
  // Both are up (store opened) before either starts writing.
  for (;;) {
    const ready = (await readdir(barrier)).filter((name) => name.startsWith('ready-'));
    if (ready.length === 2) break;
    if (runs.some((run) => run.exited)) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await writeFile(path.join(barrier, 'go'), '');
  return { runs, reports: async () => (await Promise.all(runs.map((run) => run.done))).map((text) => JSON.parse(text) as WorkerReport) };
}

describe('content store shared by processes', () => {
  it('two writers store the same and different blobs and snapshots at once; the store is complete and consistent', async () => {
    const root = path.join(await tempDir(), 'store');
    await ContentStore.open({ root });
    const { reports } = await writers(root, 12);
    const [one, two] = await reports();
    expect(one.problems).toEqual([]);
    expect(two.problems).toEqual([]);

    const store = await ContentStore.open({ root });
    for (const digest of [...one.blobs, ...two.blobs]) expect(await store.hasBlob(digest)).toBe(true);
    const shared = one.snapshots.filter((s) => s.shared);
    for (const snapshot of shared) {
      const other = two.snapshots.find((s) => s.chainId === snapshot.chainId)!;
      // Exactly one process made each shared snapshot; the other reused it or lost the rename.
      expect(Number(snapshot.created) + Number(other.created)).toBe(1);
      const owners = await Promise.all(['a', 'b', 'c'].map((name) => readFile(path.join(store.snapshotPath(snapshot.chainId), name), 'utf8')));
      expect(new Set(owners).size).toBe(1);
    }
    for (const snapshot of [...one.snapshots, ...two.snapshots].filter((s) => !s.shared)) expect(snapshot.created).toBe(true);
    expect((await store.listRoots('image')).map((root) => root.name)).toEqual(['shared', 'worker-1', 'worker-2']);

    const report = await store.verify();
    expect(report).toMatchObject({ ok: true, corrupt: [], missing: [], leftovers: [], strays: [] });
    expect(report.blobs).toBe(new Set([...one.blobs, ...two.blobs]).size + 3 * 3);
    expect(await readdir(path.join(root, 'tmp'))).toEqual([]);
    expect(await readdir(path.join(root, 'leases'))).toEqual([]);
  });

  it('prune running throughout never removes what live writers lease, and keeps every root complete', async () => {
    const root = path.join(await tempDir(), 'store');
    const store = await ContentStore.open({ root });
    const { runs, reports } = await writers(root, 12);
    let prunes = 0;
    while (!runs.every((run) => run.exited)) {
      await store.prune();
      prunes++;
    }
    const [one, two] = await reports();
    expect(one.problems).toEqual([]);
    expect(two.problems).toEqual([]);
    expect(prunes).toBeGreaterThan(0);

    // The writers are gone: what no root keeps goes now; the roots' images and snapshots stay whole.
    const final = await store.prune();
    expect(final.missing).toEqual([]);
    const rooted = [...one.roots, ...two.roots];
    for (const { chainId } of rooted) expect(await store.hasSnapshot(chainId)).toBe(true);
    for (const { chainId } of [...one.snapshots, ...two.snapshots]) expect(await store.hasSnapshot(chainId)).toBe(false);
    for (const digest of [...one.blobs, ...two.blobs]) expect(await store.hasBlob(digest)).toBe(false);
    const report = await store.verify();
    expect(report).toMatchObject({ ok: true, missing: [], leftovers: [] });
    // Three images of three blobs each (manifest, config, layer), the shared one written by both.
    expect(report.blobs).toBe(9);
    expect(report.snapshots).toBe(3);
  });

  it('a writer killed mid-write leaves leftovers that verify reports and prune removes', async () => {
    const root = path.join(await tempDir(), 'store');
    const store = await ContentStore.open({ root });
    await expect(start(['crash', root]).done).rejects.toThrow(/SIGKILL/);
    const leftovers = (await store.verify()).leftovers.map((file) => path.relative(root, file)).sort();
    expect(leftovers).toHaveLength(3);
    expect(leftovers).toEqual(
      expect.arrayContaining([expect.stringMatching(/^leases\/.*\.lease$/), expect.stringMatching(/^tmp\/.*\.blob$/), expect.stringMatching(/^tmp\/.*\.snapshot$/)]),
    );
    const pruned = await store.prune();
    expect(pruned.removedLeftovers.map((file) => path.relative(root, file)).sort()).toEqual(leftovers);
    expect(await store.verify()).toMatchObject({ ok: true, leftovers: [] });
    expect(await readdir(path.join(root, 'tmp'))).toEqual([]);
  });
});
