import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareRunRootfs, type PreparedRootfs } from '../../src/executor/index.js';
import type { LayerChange } from '../../src/layers/index.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('\n*** SKIPPED prepareRunRootfs tests: overlay mounts and whiteouts need root ***\n');

const summary = (changes: LayerChange[]) => changes.map((change) => (change.kind === 'add' ? `+${change.type[0]} ${change.path}` : `${change.kind === 'delete' ? '-' : 'o'} ${change.path}`));
const mounted = (dir: string) => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((line) => line.split(' ')[4]?.startsWith(dir));

describe.runIf(isRoot)('prepareRunRootfs', () => {
  let home: string;
  let lower: string;
  const prepared: PreparedRootfs[] = [];

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'build-image-run-rootfs-'));
    lower = path.join(home, 'lower');
    for (const dir of ['a', 'd/sub', 'e']) await mkdir(path.join(lower, dir), { recursive: true });
    for (const file of ['a/keep', 'a/changed', 'a/removed', 'd/old1', 'd/sub/old2']) await writeFile(path.join(lower, file), `${file}\n`);
    // Whole-second times, as a snapshot extracted from a tar has.
    execFileSync('find', [lower, '-exec', 'touch', '-h', '-d', '@1700000000', '{}', '+']);
  });
  afterAll(async () => {
    for (const rootfs of prepared) await rootfs.release();
    await rm(home, { recursive: true, force: true });
  });

  async function prepare(lowers: string[], mode: 'auto' | 'copy' = 'auto'): Promise<PreparedRootfs> {
    const rootfs = await prepareRunRootfs({ lowers, workDir: await mkdtemp(path.join(home, 'work-')), mode });
    prepared.push(rootfs);
    return rootfs;
  }

  /** A RUN's worth of changes: create, change and delete files, replace a directory. */
  async function change(root: string): Promise<void> {
    await writeFile(path.join(root, 'a/new'), 'new\n');
    await writeFile(path.join(root, 'a/changed'), 'changed, longer\n');
    await rm(path.join(root, 'a/removed'));
    await rm(path.join(root, 'd'), { recursive: true });
    await mkdir(path.join(root, 'd'));
    await writeFile(path.join(root, 'd/fresh'), 'fresh\n');
  }

  it('overlay: the upper dir gives adds, a whiteout delete and an opaque directory', async () => {
    const rootfs = await prepare([lower]);
    expect(rootfs.mode).toBe('overlay');
    expect(rootfs.upperDir).not.toBe(rootfs.root);
    expect(mounted(rootfs.root)).toBe(true);
    await change(rootfs.root);
    const changes = await rootfs.changes();
    expect(summary(changes)).toEqual(['+d a', '+f a/changed', '+f a/new', '- a/removed', '+d d', 'o d', '+f d/fresh']);
    expect(await readFile(path.join(lower, 'a/changed'), 'utf8')).toBe('a/changed\n');
  });

  it('copy: a diff of the snapshot against its copy; the replaced directory shows as deletions of its old entries', async () => {
    const rootfs = await prepare([lower], 'copy');
    expect(rootfs.mode).toBe('copy');
    expect(rootfs.upperDir).toBe(rootfs.root);
    await change(rootfs.root);
    expect(summary(await rootfs.changes())).toEqual(['+d a', '+f a/changed', '+f a/new', '- a/removed', '+d d', '+f d/fresh', '- d/old1', '- d/sub']);
    expect(existsSync(path.join(lower, 'a/removed'))).toBe(true);
  });

  it('no lowers: an empty directory whose entries are all adds', async () => {
    const rootfs = await prepare([]);
    expect(rootfs.root).toBe(rootfs.upperDir);
    await writeFile(path.join(rootfs.root, 'only'), 'x');
    expect(summary(await rootfs.changes())).toEqual(['+f only']);
  });

  it('stacks more than 20 lowers with long paths in one overlay (relative lowerdir), top-most last', async () => {
    const parent = path.join(home, 'many');
    const lowers: string[] = [];
    for (let index = 0; index < 40; index++) {
      const dir = path.join(parent, `${String(index).padStart(3, '0')}-${'x'.repeat(90)}`);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, `file-${index}`), '');
      await writeFile(path.join(dir, 'winner'), `${index}`);
      lowers.push(dir);
    }
    // Absolute, these 40 paths alone take more than a page of mount options.
    expect(lowers.join(':').length).toBeGreaterThan(4096);
    const rootfs = await prepare(lowers);
    expect(rootfs.mode).toBe('overlay');
    expect(await readFile(path.join(rootfs.root, 'winner'), 'utf8')).toBe('39');
    expect(existsSync(path.join(rootfs.root, 'file-0'))).toBe(true);
    expect(existsSync(path.join(rootfs.root, 'file-39'))).toBe(true);
  });

  it('falls back to a copy of the top-most lower, saying why, when the lowers do not fit in the mount options', async () => {
    const parent = path.join(home, 'too-many');
    const lowers: string[] = [];
    for (let index = 0; index < 60; index++) {
      const dir = path.join(parent, `${String(index).padStart(3, '0')}-${'y'.repeat(90)}`);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'winner'), `${index}`);
      lowers.push(dir);
    }
    const rootfs = await prepare(lowers);
    expect(rootfs.mode).toBe('copy');
    expect(rootfs.fallbackReason).toMatch(/60 lower directories need \d+ bytes of mount options/);
    expect(await readFile(path.join(rootfs.root, 'winner'), 'utf8')).toBe('59');
  });

  it('release unmounts and removes everything, and may be called again', async () => {
    const workDir = await mkdtemp(path.join(home, 'release-'));
    const rootfs = await prepareRunRootfs({ lowers: [lower], workDir });
    await writeFile(path.join(rootfs.root, 'scratch'), 'x');
    // A process still working inside the mount: the unmount is lazy then.
    const busy = spawn('sleep', ['30'], { cwd: rootfs.root, stdio: 'ignore' });
    try {
      await rootfs.release();
      await rootfs.release();
      expect(mounted(workDir)).toBe(false);
      expect(await readdir(workDir)).toEqual([]);
    } finally {
      busy.kill('SIGKILL');
    }
  });
});
