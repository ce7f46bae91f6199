/**
 * Layer memory: writes a layer from a generated tree (1 GiB by default) with each compression, then applies it,
 * each phase in its own process so its peak RSS is its own. Fails (exit code 1) when a phase's peak RSS reaches
 * the limit (150 MB): the writer and applier must stream, never hold a layer in memory. The times it prints are
 * for information; bench/layers/speed.mjs is the throughput benchmark.
 * Usage: node bench/layers/memory.mjs [--size-mb N] [--files N] [--compression gzip,zstd,none]
 *        (after `npm run build`; bench/layers/layers.bench.mjs runs it)
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const RSS_LIMIT_MB = 150;
const { values } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '1024' },
    files: { type: 'string', default: '16' },
    compression: { type: 'string', default: 'gzip,zstd,none' },
    phase: { type: 'string' },
    tree: { type: 'string' },
    layer: { type: 'string' },
    target: { type: 'string' },
  },
});

if (values.phase) {
  await runPhase();
} else {
  await main();
}

async function main() {
  const sizeMb = Number(values['size-mb']);
  const fileCount = Number(values.files);
  const work = mkdtempSync(path.join(os.tmpdir(), 'layers-bench-'));
  let failed = false;
  try {
    const tree = path.join(work, 'tree');
    generateTree(tree, sizeMb, fileCount);
    console.log(`tree: ${fileCount} files, ${sizeMb} MiB (half random, half repetitive text)`);
    const { isZstdAvailable } = await import('../../dist/layers/index.js');
    for (const compression of values.compression.split(',')) {
      if (compression === 'zstd' && !(await isZstdAvailable())) {
        console.warn('*** zstd: skipped, the zstd command is not installed ***');
        continue;
      }
      const layer = path.join(work, `layer.${compression}`);
      const target = path.join(work, `applied-${compression}`);
      for (const [phase, extra] of [
        ['write', ['--tree', tree, '--layer', layer, '--compression', compression]],
        ['apply', ['--layer', layer, '--target', target]],
      ]) {
        const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--phase', phase, ...extra], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
        if (run.status !== 0) throw new Error(`${phase} ${compression} failed`);
        const result = JSON.parse(run.stdout);
        const mbPerSecond = sizeMb / result.seconds;
        const over = result.peakRssMb >= RSS_LIMIT_MB;
        failed ||= over;
        console.log(
          `${compression.padEnd(5)} ${phase.padEnd(5)} ${result.seconds.toFixed(2).padStart(7)} s  ${mbPerSecond.toFixed(0).padStart(5)} MiB/s  peak RSS ${result.peakRssMb.toFixed(0).padStart(4)} MB${over ? `  OVER ${RSS_LIMIT_MB} MB` : ''}  ${result.detail}`,
        );
      }
      rmSync(target, { recursive: true, force: true });
      rmSync(layer, { force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (failed) {
    console.error(`peak RSS reached ${RSS_LIMIT_MB} MB`);
    process.exitCode = 1;
  }
}

async function runPhase() {
  const { writeLayer, applyLayer, treeChanges } = await import('../../dist/layers/index.js');
  const started = performance.now();
  let detail;
  if (values.phase === 'write') {
    const written = await writeLayer(await treeChanges(values.tree, { xattrs: false }), { output: values.layer, compression: { type: values.compression } });
    detail = `blob ${(written.size / 2 ** 20).toFixed(0)} MiB`;
  } else {
    const stats = await applyLayer(values.layer, values.target, { xattrs: false });
    detail = `${stats.files} files, tar ${(stats.tarSize / 2 ** 20).toFixed(0)} MiB`;
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(JSON.stringify({ seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, detail }));
}

function generateTree(root, sizeMb, fileCount) {
  mkdirSync(path.join(root, 'data'), { recursive: true });
  const random = randomBytes(1024 * 1024);
  const text = Buffer.alloc(1024 * 1024, Array.from({ length: 100 }, (_, i) => `line ${i} of a fairly repetitive text file\n`).join(''));
  const perFileMb = Math.max(1, Math.floor(sizeMb / fileCount));
  for (let f = 0; f < fileCount; f++) {
    const fd = openSync(path.join(root, 'data', `file-${f}`), 'w');
    for (let mb = 0; mb < perFileMb; mb++) {
      const chunk = mb % 2 === 0 ? random : text;
      chunk.writeUInt32BE(f * 100_000 + mb, 0);
      writeSync(fd, chunk);
    }
    closeSync(fd);
  }
  writeFileSync(path.join(root, 'small'), 'x');
}
