/**
 * Layer throughput: writeLayer (tar + gzip level 6 + sha256 of the tar and of the blob, one pass) against node:zlib
 * gzip level 6 alone on the same tar bytes (a tar file made beforehand, not timed), in the same process and run,
 * on a generated 200 MiB tree of mixed files (see mixed-tree.mjs). Then two writeLayer calls on two different
 * trees at once, in one process (zlib works on the libuv threadpool, so two layers can use two cores), against one.
 *
 * Every round runs, in turn: zlib alone on tree A's tar; writeLayer on tree A; writeLayer on A and B at once; and,
 * for scale (unless --no-ceiling), zlib alone with writeLayer's buffer sizes on A's tar, then on A's and B's at once:
 * how far two compressions scale on this machine at that moment (a shared 2-core VM often gives less than two
 * cores; the CPU figures printed show how much each run got). Outputs are discarded
 * (a Writable that drops the bytes) so the comparison is of the work itself, not of the disk. MB/s are of tar
 * (uncompressed) bytes, 10^6 bytes per MB; each figure is the median of the rounds.
 *
 * Targets: writeLayer >= 90% of zlib alone; two layers at once >= 1.6x one layer. A miss is reported, never a
 * failure: the exit code is 0 unless something breaks.
 * Usage: node bench/layers/speed.mjs [--tree-mb N] [--rounds N] [--no-ceiling]   (after `npm run build`)
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { generateMixedTree } from './mixed-tree.mjs';

const { values } = parseArgs({
  options: { 'tree-mb': { type: 'string', default: '200' }, rounds: { type: 'string', default: '5' }, 'no-ceiling': { type: 'boolean', default: false } },
});
const treeMiB = Number(values['tree-mb']);
const rounds = Number(values.rounds);
const ceiling = !values['no-ceiling'];
const TARGET_RATIO = 0.9;
const TARGET_SCALING = 1.6;

const { writeLayer, treeChanges } = await import('../../dist/layers/index.js');

/** A destination that drops what it is given. */
function discard() {
  return new Writable({
    highWaterMark: 1024 * 1024,
    write(_chunk, _encoding, callback) {
      callback();
    },
    writev(_chunks, callback) {
      callback();
    },
  });
}

/** node:zlib alone: the tar file through createGzip({ level: 6 }), defaults otherwise. */
async function zlibAlone(tarFile, sink = discard(), options = {}) {
  await pipeline(createReadStream(tarFile), createGzip({ level: 6, ...options }), sink);
}

/** zlib alone with writeLayer's buffer sizes (src/layers/compression.ts): what this machine gives zlib. */
const zlibTuned = (tarFile) => zlibAlone(tarFile, discard(), { chunkSize: 256 * 1024, writableHighWaterMark: 2 * 1024 * 1024 });

/** Wall time, and the CPU this process used meanwhile (in cores: 2.0 is both cores all the time). */
async function timed(run) {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const result = await run();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { seconds, cores: (cpu.user + cpu.system) / 1e6 / seconds, result };
}

const median = (numbers) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const mbps = (bytes, seconds) => bytes / 1e6 / seconds;
const fixed = (value, digits = 1) => Number(value.toFixed(digits));

const work = mkdtempSync(path.join(os.tmpdir(), 'layers-speed-'));
try {
  const trees = [];
  for (const [name, seed] of [
    ['a', 1],
    ['b', 2],
  ]) {
    const root = path.join(work, name);
    const generated = generateMixedTree(root, { totalMiB: treeMiB, seed });
    const changes = await treeChanges(root, { xattrs: false });
    const tarFile = path.join(work, `${name}.tar`);
    const tar = await writeLayer(changes, { output: tarFile, compression: { type: 'none' } });
    trees.push({ name, changes, tarFile, tarBytes: statSync(tarFile).size, diffId: tar.diffId, ...generated });
  }
  const [a, b] = trees;
  const mib = (bytes) => (bytes / 2 ** 20).toFixed(0);
  for (const tree of trees) {
    console.log(
      `tree ${tree.name}: ${tree.files} files, ${mib(tree.bytes)} MiB (text ${mib(tree.kinds.text)}, random ${mib(tree.kinds.random)}, mixed blocks ${mib(tree.kinds.binary)} MiB), tar ${(tree.tarBytes / 1e6).toFixed(1)} MB`,
    );
  }

  // Not timed: warms the page cache and the JIT, and checks that writeLayer's blob is exactly zlib's output.
  const zlibDigest = createHash('sha256');
  await zlibAlone(a.tarFile, new Writable({
      write(chunk, _encoding, callback) {
        zlibDigest.update(chunk);
        callback();
      },
    }));
  const warm = await writeLayer(a.changes, { output: discard() });
  if (warm.diffId !== a.diffId || warm.digest !== `sha256:${zlibDigest.digest('hex')}`) {
    throw new Error(`writeLayer's output differs from zlib's on the same tar (${warm.digest})`);
  }
  console.log(`check: writeLayer's blob is byte-identical to node:zlib gzip-6 of the same tar (${warm.digest.slice(0, 19)}…)`);

  const samples = { zlib: [], one: [], two: [], twoCores: [], zlibTunedOne: [], zlibTunedTwo: [], zlibTunedTwoCores: [] };
  for (let round = 1; round <= rounds; round++) {
    const zlib = await timed(() => zlibAlone(a.tarFile));
    const one = await timed(() => writeLayer(a.changes, { output: discard() }));
    const two = await timed(() => Promise.all([writeLayer(a.changes, { output: discard() }), writeLayer(b.changes, { output: discard() })]));
    samples.zlib.push(mbps(a.tarBytes, zlib.seconds));
    samples.one.push(mbps(a.tarBytes, one.seconds));
    samples.two.push(mbps(a.tarBytes + b.tarBytes, two.seconds));
    samples.twoCores.push(two.cores);
    let line = `round ${round}: zlib alone ${samples.zlib.at(-1).toFixed(1)} MB/s, writeLayer ${samples.one.at(-1).toFixed(1)} MB/s, two writeLayers ${samples.two.at(-1).toFixed(1)} MB/s (${two.cores.toFixed(2)} cores)`;
    if (ceiling) {
      const tunedOne = await timed(() => zlibTuned(a.tarFile));
      const tunedTwo = await timed(() => Promise.all([zlibTuned(a.tarFile), zlibTuned(b.tarFile)]));
      samples.zlibTunedOne.push(mbps(a.tarBytes, tunedOne.seconds));
      samples.zlibTunedTwo.push(mbps(a.tarBytes + b.tarBytes, tunedTwo.seconds));
      samples.zlibTunedTwoCores.push(tunedTwo.cores);
      line += `; zlib with writeLayer's buffers: one ${samples.zlibTunedOne.at(-1).toFixed(1)} MB/s, two ${samples.zlibTunedTwo.at(-1).toFixed(1)} MB/s (${tunedTwo.cores.toFixed(2)} cores)`;
    }
    console.log(line);
  }

  const zlib = median(samples.zlib);
  const one = median(samples.one);
  const two = median(samples.two);
  const ratio = one / zlib;
  const scaling = two / one;
  const ratioMet = ratio >= TARGET_RATIO;
  const scalingMet = scaling >= TARGET_SCALING;
  console.log(`gzip-6, median of ${rounds} rounds:`);
  console.log(`  node:zlib alone            ${zlib.toFixed(1).padStart(6)} MB/s`);
  console.log(`  writeLayer                 ${one.toFixed(1).padStart(6)} MB/s  = ${(ratio * 100).toFixed(0)}% of zlib alone (target >= ${TARGET_RATIO * 100}%: ${ratioMet ? 'met' : 'NOT met'})`);
  console.log(
    `  two writeLayers at once    ${two.toFixed(1).padStart(6)} MB/s  = ${scaling.toFixed(2)}x one (target >= ${TARGET_SCALING}x: ${scalingMet ? 'met' : 'NOT met'}); ${median(samples.twoCores).toFixed(2)} cores busy`,
  );
  let machine;
  if (ceiling) {
    machine = { one: median(samples.zlibTunedOne), two: median(samples.zlibTunedTwo), cores: median(samples.zlibTunedTwoCores) };
    console.log(
      `  for scale, zlib alone with writeLayer's buffer sizes: ${machine.one.toFixed(1)} MB/s, two at once ${machine.two.toFixed(1)} MB/s = ${(machine.two / machine.one).toFixed(2)}x (${machine.cores.toFixed(2)} cores busy)`,
    );
  }
  console.log(
    JSON.stringify({
      bench: 'layers-speed',
      treeMiB,
      tarBytes: [a.tarBytes, b.tarBytes],
      rounds,
      cpus: os.availableParallelism(),
      node: process.version,
      zlib: process.versions.zlib,
      mbPerSecond: { zlibAlone: fixed(zlib), writeLayer: fixed(one), twoWriteLayers: fixed(two) },
      ratio: fixed(ratio, 3),
      scaling: fixed(scaling, 2),
      machine: machine && { zlibTunedOne: fixed(machine.one), zlibTunedTwo: fixed(machine.two), scaling: fixed(machine.two / machine.one, 2), cores: fixed(machine.cores, 2) },
      samples: Object.fromEntries(Object.entries(samples).map(([key, list]) => [key, list.map((value) => fixed(value, 2))])),
      targets: { ratioAtLeast: TARGET_RATIO, scalingAtLeast: TARGET_SCALING },
      met: { ratio: ratioMet, scaling: scalingMet },
    }),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
