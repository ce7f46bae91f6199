/**
 * Registry push and pull of a ~200 MB image over loopback: build-image's registry client (dist/) against
 * `skopeo copy` doing the same, in the same run, on the same docker-registry (Debian's distribution) on 127.0.0.1.
 *
 *   push  ours:   node bench/registry/ours.mjs push STORE DIGEST HOST/ours:bench      (from our content store)
 *         skopeo: skopeo copy --dest-tls-verify=false oci:LAYOUT:bench docker://HOST/skopeo:bench
 *   pull  ours:   node bench/registry/ours.mjs pull NEWSTORE HOST/src:bench           (into an empty store)
 *         skopeo: skopeo copy --src-tls-verify=false docker://HOST/src:bench oci:NEWDIR:bench
 *
 * Before every timed push the registry's storage is emptied, so nothing is skipped or mounted; before every pull
 * the destination is removed. Each command is its own process (node's start-up counts for us, skopeo's for it).
 * Timed with hyperfine where installed, else with repeated runs timed by performance.now(), in two passes (ours
 * first, then skopeo first), medians over both. Target: ours within 1.2x of skopeo. A missed target is printed, not
 * an error.
 * Usage: npm run bench -- registry   or   node bench/registry/registry.bench.mjs [--runs 5]   (after npm run build)
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchImage } from './bench-image.mjs';
import { startRegistry } from './registry-server.mjs';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '../../dist');
const target = 1.2;

function installed(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

const missing = ['docker-registry', 'skopeo'].filter((command) => !installed(command));
if (missing.length > 0) {
  console.log(`SKIPPED registry benchmark: ${missing.join(', ')} not installed (Debian: apt-get install docker-registry skopeo)`);
  process.exit(0);
}
if (!existsSync(path.join(dist, 'index.js'))) throw new Error('dist/ is missing: run npm run build first');

const quote = (text) => `'${String(text).replaceAll("'", "'\\''")}'`;
const shell = (args) => args.map(quote).join(' ');

/** Runs a shell command, failing loudly. */
function sh(command) {
  const result = spawnSync('sh', ['-c', command], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} failed (${result.status}):\n${result.stderr}${result.stdout}`);
}

/** Median, mean, min and max of a list of seconds. */
function summary(list) {
  const sorted = [...list].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(middle)] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, mean: list.reduce((a, b) => a + b, 0) / list.length, min: sorted[0], max: sorted[sorted.length - 1], runs: list.length };
}

/**
 * Seconds per run of each `{ name, command, prepare }`: hyperfine (one warm-up run) when installed, else `runs`
 * rounds of prepare + command timed with performance.now(), alternating the commands.
 */
async function timeOnce(commands, work) {
  if (installed('hyperfine')) {
    const json = path.join(work, `hyperfine-${Date.now()}.json`);
    const args = ['--warmup', '1', '--runs', String(runs), '--style', 'basic', '--export-json', json];
    for (const { name, prepare } of commands) args.push('--prepare', prepare, '--command-name', name);
    args.push(...commands.map(({ command }) => command));
    const run = spawnSync('hyperfine', args, { stdio: 'inherit' });
    if (run.status !== 0) throw new Error(`hyperfine failed (${run.status})`);
    const { results } = JSON.parse(await readFile(json, 'utf8'));
    return Object.fromEntries(results.map((result) => [result.command, result.times]));
  }
  const times = Object.fromEntries(commands.map(({ name }) => [name, []]));
  for (let round = -1; round < runs; round++) {
    for (const { name, command, prepare } of commands) {
      sh(prepare);
      const started = performance.now();
      sh(command);
      if (round >= 0) times[name].push((performance.now() - started) / 1000);
    }
  }
  return times;
}

/**
 * timeOnce twice, the second time in the reverse order, so that a load that comes or goes during the run (other
 * people's jobs on a shared machine) weighs on both sides alike. Returns `{ name: summary }` over all runs.
 */
async function timeCommands(commands, work) {
  const first = await timeOnce(commands, work);
  const second = commands.length > 1 ? await timeOnce([...commands].reverse(), work) : {};
  return Object.fromEntries(commands.map(({ name }) => [name, summary([...first[name], ...(second[name] ?? [])])]));
}

function report(what, results, bytes) {
  const ours = results[`${what} ours`];
  const skopeo = results[`${what} skopeo`];
  const ratio = ours.median / skopeo.median;
  const mbps = (seconds) => `${(bytes / 1e6 / seconds).toFixed(0)} MB/s`;
  console.log(
    `${what}: ours ${ours.median.toFixed(2)} s (${mbps(ours.median)}; ${ours.min.toFixed(2)}-${ours.max.toFixed(2)}), ` +
      `skopeo ${skopeo.median.toFixed(2)} s (${mbps(skopeo.median)}; ${skopeo.min.toFixed(2)}-${skopeo.max.toFixed(2)}): ` +
      `ours/skopeo = ${ratio.toFixed(2)}x, target <= ${target}x ${ratio <= target ? 'met' : 'NOT met'}`,
  );
  return ratio;
}

const loadBefore = os.loadavg();
const image = await benchImage(dist);
console.log(`image: ${image.layers} layers, ${(image.fileBytes / 1e6).toFixed(0)} MB of files, ${(image.blobBytes / 1e6).toFixed(0)} MB of blobs (${image.digest})`);

const work = await mkdtemp(path.join(os.tmpdir(), 'build-image-bench-registry-run-'));
const registry = await startRegistry(path.join(work, 'registry'));
const ours = path.join(here, 'ours.mjs');
try {
  const emptyRegistry = `rm -rf ${quote(registry.data)}`;
  const push = await timeCommands(
    [
      { name: 'push ours', prepare: emptyRegistry, command: shell([process.execPath, ours, 'push', image.store, image.digest, `${registry.host}/ours:bench`]) },
      { name: 'push skopeo', prepare: emptyRegistry, command: shell(['skopeo', 'copy', '--quiet', '--dest-tls-verify=false', `oci:${image.layout}:${image.tag}`, `docker://${registry.host}/skopeo:bench`]) },
    ],
    work,
  );

  sh(shell(['skopeo', 'copy', '--quiet', '--dest-tls-verify=false', `oci:${image.layout}:${image.tag}`, `docker://${registry.host}/src:bench`]));
  const ourStore = path.join(work, 'pulled-store');
  const skopeoLayout = path.join(work, 'pulled-layout');
  const pull = await timeCommands(
    [
      { name: 'pull ours', prepare: `rm -rf ${quote(ourStore)}`, command: shell([process.execPath, ours, 'pull', ourStore, `${registry.host}/src:bench`]) },
      { name: 'pull skopeo', prepare: `rm -rf ${quote(skopeoLayout)}`, command: shell(['skopeo', 'copy', '--quiet', '--src-tls-verify=false', `docker://${registry.host}/src:bench`, `oci:${skopeoLayout}:bench`]) },
    ],
    work,
  );

  const startup = await timeCommands([{ name: 'startup', prepare: 'true', command: shell([process.execPath, ours, 'startup']) }], work);

  console.log(`\nmedians of ${push['push ours'].runs} runs each (${installed('hyperfine') ? 'hyperfine' : 'performance.now'}, two passes in opposite orders), ${(image.blobBytes / 1e6).toFixed(0)} MB of blobs:`);
  report('push', push, image.blobBytes);
  report('pull', pull, image.blobBytes);
  console.log(`ours includes node's start-up and imports: ${startup.startup.median.toFixed(2)} s (node bench/registry/ours.mjs startup)`);
  const loadAfter = os.loadavg();
  console.log(`load average before ${loadBefore.map((n) => n.toFixed(2)).join(' ')}, after ${loadAfter.map((n) => n.toFixed(2)).join(' ')}; ${os.cpus().length} cores, node ${process.version}`);
} finally {
  await registry.stop();
  await rm(work, { recursive: true, force: true });
}
