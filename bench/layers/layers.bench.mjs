/**
 * The layer benchmarks, each in its own process: speed.mjs (writeLayer against node:zlib alone on a 200 MiB tree of
 * mixed files, and two layers at once against one) and memory.mjs (peak RSS writing and applying a 1 GiB layer).
 * Exit code 1 only when memory.mjs finds a phase over its RSS limit, or a benchmark breaks; a speed target missed
 * is reported, not a failure.
 * Usage: node bench/layers/layers.bench.mjs [--only speed|memory]   (after `npm run build`; or `npm run bench -- layers`)
 * Each can be run alone with its own options: see the headers of speed.mjs and memory.mjs.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { only: { type: 'string' } } });
const here = path.dirname(fileURLToPath(import.meta.url));
const parts = ['speed', 'memory'].filter((name) => values.only === undefined || values.only === name);
if (parts.length === 0) throw new Error(`--only must be speed or memory, not ${values.only}`);

let failed = false;
for (const name of parts) {
  console.log(`-- layers ${name}`);
  const run = spawnSync(process.execPath, [path.join(here, `${name}.mjs`)], { stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`layers ${name}: exit code ${run.status ?? run.signal}`);
    failed = true;
  }
}
process.exitCode = failed ? 1 : 0;
