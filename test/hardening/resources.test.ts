import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build, type BuildOptions } from '../../src/builder/index.js';
import { writeTree } from '../fixtures/file-tree.js';
import { tempDirs } from '../fixtures/temp-dir.js';
import { distAvailable } from '../support/cli-process.js';
import { runBuildPrerequisites, seededBytes } from './support.js';

/**
 * Resource use. Disk: building the same image again (from cache, and with --no-cache) adds nothing to the store:
 * identical layers and snapshots are stored once. Memory: a build of a 2 GiB context stays under 250 MB of RSS;
 * that one needs 6 GiB of disk and a few minutes, so it runs only with BUILD_IMAGE_HEAVY=1 (also as
 * `npm run bench -- hardening`).
 */
const tempDir = tempDirs('hardening-resources');

interface StoreUsage {
  bytes: number;
  files: number;
  /** Blob digests and snapshot chain IDs. */
  entries: string[];
}

/** Apparent size and file count of a store, without tmp/, leases/ and the lock files (in use while a build runs). */
async function storeUsage(root: string): Promise<StoreUsage> {
  const usage: StoreUsage = { bytes: 0, files: 0, entries: [] };
  const walk = async (dir: string): Promise<void> => {
    for (const name of await readdir(dir)) {
      const file = path.join(dir, name);
      const info = await lstat(file);
      if (info.isDirectory()) await walk(file);
      else {
        usage.bytes += info.size;
        usage.files++;
      }
    }
  };
  for (const name of await readdir(root)) {
    if (name === 'tmp' || name === 'leases' || name.startsWith('lock')) continue;
    const entry = path.join(root, name);
    if ((await lstat(entry)).isDirectory()) await walk(entry);
    else usage.files++;
  }
  for (const kind of ['blobs', 'snapshots']) {
    for (const algorithm of await readdir(path.join(root, kind))) {
      for (const hex of await readdir(path.join(root, kind, algorithm))) usage.entries.push(`${kind}/${algorithm}:${hex}`);
    }
  }
  usage.entries.sort();
  return usage;
}

describe('resource use', () => {
  it('building the same image twice, and again with --no-cache, stores nothing twice', { timeout: 120_000 }, async () => {
    const busybox = await runBuildPrerequisites('store disk use');
    if (!busybox) return;
    const work = await tempDir();
    const context = writeTree(path.join(work, 'context'), {
      Dockerfile: ['FROM busybox', 'COPY data/ /data/', 'RUN cat /data/*.bin | wc -c > /total && echo built > /built', 'COPY big.bin /big.bin', ''].join('\n'),
      'data/a.bin': seededBytes(11, 200 * 1024),
      'data/b.bin': seededBytes(12, 300 * 1024),
      'big.bin': seededBytes(13, 2 * 1024 * 1024),
    });
    const cacheDir = path.join(work, 'cache');
    const options = (extra: Partial<BuildOptions>): BuildOptions => ({
      context,
      cacheDir,
      buildContexts: { busybox: busybox.reference },
      outputs: [{ type: 'oci-layout', dest: path.join(work, 'out') }],
      sourceDateEpoch: 0,
      ...extra,
    });

    const first = await build(options({}));
    const once = await storeUsage(cacheDir);
    const second = await build(options({}));
    const twice = await storeUsage(cacheDir);
    const third = await build(options({ noCache: true }));
    const rebuilt = await storeUsage(cacheDir);

    expect(second.digest).toBe(first.digest);
    expect(third.digest).toBe(first.digest);
    expect(second.steps.filter((step) => !step.cached).map((step) => step.name)).toEqual([]);
    console.info(`store disk use: ${once.bytes} bytes in ${once.files} files after one build, ${twice.bytes} in ${twice.files} after two, ${rebuilt.bytes} in ${rebuilt.files} after a --no-cache rebuild`);
    expect(twice).toEqual(once);
    expect(rebuilt).toEqual(once);
    // What is stored: the base's blobs, one blob per new layer, the image's config and manifest, step records.
    expect(once.entries.filter((entry) => entry.startsWith('snapshots/')).length).toBeGreaterThan(0);
  });

  it.runIf(process.env.BUILD_IMAGE_HEAVY === '1')('a build of a 2 GiB context stays under 250 MB of RSS', { timeout: 900_000 }, async () => {
    if (!distAvailable('2 GiB context RSS')) return;
    // @ts-expect-error: a plain .mjs benchmark module, without types
    const bench = (await import('../../bench/hardening/context-rss.mjs')) as {
      RSS_LIMIT_MB: number;
      writeLargeContext: (dir: string, sizeMb: number, fileMb: number) => { files: number; bytes: number };
      measureBuild: (args: string[]) => Promise<{ peakMb: number; source: string; seconds: number; stdout: string }>;
    };
    const work = await tempDir();
    const context = path.join(work, 'context');
    const generated = bench.writeLargeContext(context, 2048, 1);
    expect(generated.bytes).toBe(2 * 1024 ** 3);
    const result = await bench.measureBuild(['-q', '--cache-dir', path.join(work, 'cache'), '--output', `type=oci,dest=${path.join(work, 'layout')},tar=false`, context]);
    console.log(`2 GiB context: build ${result.seconds.toFixed(1)} s, peak RSS ${result.peakMb.toFixed(0)} MB (${result.source})`);
    expect(result.peakMb).toBeLessThan(bench.RSS_LIMIT_MB);
  });
});
