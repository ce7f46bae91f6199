/**
 * Where the time of a no-op (fully cached) rebuild of the reference project goes: the CLI run under
 * `node --cpu-prof` (sampling every 100 µs), each sample charged to a phase by its stack, averaged over the runs.
 *
 * A sample is "module loading" when node's ESM loader is on its stack (resolving, reading, compiling and
 * evaluating modules); otherwise it goes to the phase of the innermost frame in dist/ (parser, plan, context,
 * step cache, store, image assembly and output, CLI...) or in a dependency, else to what V8 reports (garbage
 * collection, idle: waiting for I/O or a child, program: native code outside JS). Node's own start-up, before
 * the profiler starts, is measured apart as `node -e 0` and as the difference between the process's wall time
 * and the profile's.
 * Usage: node bench/build/noop-profile.mjs [--runs 5] [--root DIR]   (DIR: a copy of the package with its own
 * dist/ and bin/, to compare builds; default: this repository. After npm run build.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BASE_CONTEXT, makeReferenceProject } from './reference-project.mjs';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, root: { type: 'string' } } });
const runs = Number(values.runs);
const root = path.resolve(values.root ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '../..'));

/**
 * For a frame in a bundled file (dist/cli/bundle.mjs and its chunks), the module it came from: esbuild writes a
 * `// dist/...` or `// node_modules/...` comment before each module's code.
 */
const bundleModules = new Map();
function sourceModuleOf(url, lineNumber) {
  if (!/\/dist\/cli\/.*\.mjs$/.test(url)) return url;
  let starts = bundleModules.get(url);
  if (!starts) {
    starts = [];
    readFileSync(fileURLToPath(url), 'utf8').split('\n').forEach((line, index) => {
      const marker = line.match(/^\/\/ ((?:dist|node_modules)\/\S+)$/);
      if (marker) starts.push([index, marker[1]]);
    });
    bundleModules.set(url, starts);
  }
  let found = url;
  for (const [start, module] of starts) {
    if (start > lineNumber) break;
    found = `/${module}`;
  }
  return found;
}

/** The phase of one stack (innermost frame first). */
function phaseOf(frames) {
  if (frames.some((frame) => frame.url.startsWith('node:internal/modules/'))) return 'module loading';
  for (const frame of frames) {
    const url = sourceModuleOf(frame.url, frame.lineNumber);
    const dist = url.match(/\/dist\/(.+)$/);
    if (dist) {
      const file = dist[1];
      if (file.startsWith('parser/')) return 'parse';
      if (file.startsWith('builder/plan/')) return 'plan';
      if (file.startsWith('context/')) return 'context: walk, select, digest';
      if (/^builder\/(step-cache|cache-key|layer-record)/.test(file)) return 'step cache lookups';
      if (file.startsWith('cache/')) return 'content store (open, lock, roots, blobs)';
      if (file.startsWith('builder/image-assembly') || file.startsWith('builder/config/')) return 'image assembly';
      if (file.startsWith('builder/outputs') || file.startsWith('image/')) return 'output writing, image documents';
      if (file.startsWith('cli/')) return 'CLI: arguments, progress';
      if (file.startsWith('builder/')) return 'builder: other (stage runner, base image)';
      return file.split('/')[0];
    }
    const dependency = url.match(/\/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
    if (dependency) return /chevrotain|lodash/.test(dependency[1]) ? 'parse' : dependency[1];
  }
  const leaf = frames[0]?.functionName ?? '';
  // Completions of asynchronous file operations carry no JavaScript caller. In a no-op rebuild nearly all of them
  // are module sources: node 20's ESM loader reads each one with fs/promises (open, fstat, read, close).
  if (['FileHandle', 'readFileHandle', 'fstat', 'read', 'close', 'open', 'openFileHandle'].includes(leaf)) return 'module loading: asynchronous source reads';
  if (leaf === '(garbage collector)') return 'garbage collection';
  if (leaf === '(idle)') return 'idle (waiting for I/O, timers, children)';
  if (leaf === '(program)') return 'native (program)';
  return 'node internals, other';
}

function phases(profileFile) {
  const profile = JSON.parse(readFileSync(profileFile, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const totals = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const frames = [];
    for (let id = profile.samples[i]; id !== undefined; id = parents.get(id)) frames.push(nodes.get(id).callFrame);
    const phase = phaseOf(frames);
    totals.set(phase, (totals.get(phase) ?? 0) + profile.timeDeltas[i] / 1000);
  }
  return { totals, profileMs: (profile.endTime - profile.startTime) / 1000 };
}

function timedRun(args, options = {}) {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', ...options });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stderr}`);
  return ms;
}

const mean = (numbers) => numbers.reduce((sum, value) => sum + value, 0) / numbers.length;
const work = mkdtempSync(path.join(os.tmpdir(), 'noop-profile-'));
try {
  const { base, project } = makeReferenceProject(work);
  const cli = path.join(root, 'bin/build-image.js');
  const buildArgs = ['-q', '--cache-dir', path.join(work, 'cache'), '--build-context', `${BASE_CONTEXT}=oci-layout://${base}:latest`, '-o', `type=oci,dest=${path.join(work, 'out')},tar=false`, project];
  timedRun([cli, ...buildArgs]); // cold: fills the cache
  timedRun([cli, ...buildArgs]); // first rebuild: the digest memo settles

  const bare = [];
  const walls = [];
  const profiles = [];
  for (let i = 0; i < runs; i++) {
    bare.push(timedRun(['-e', '0']));
    const dir = path.join(work, `profile-${i}`);
    walls.push(timedRun(['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '100', cli, ...buildArgs]));
    profiles.push(phases(path.join(dir, readdirSync(dir)[0])));
  }
  const plainWalls = [];
  for (let i = 0; i < runs; i++) plainWalls.push(timedRun([cli, ...buildArgs]));

  const names = [...new Set(profiles.flatMap((profile) => [...profile.totals.keys()]))];
  const rows = names.map((name) => [name, mean(profiles.map((profile) => profile.totals.get(name) ?? 0))]).sort((a, b) => b[1] - a[1]);
  const profiled = mean(profiles.map((profile) => profile.profileMs));
  console.log(`no-op rebuild of the reference project, ${root}; ${runs} runs; load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  console.log(`whole process without the profiler: ${mean(plainWalls).toFixed(0)} ms (min ${Math.min(...plainWalls).toFixed(0)}); with it: ${mean(walls).toFixed(0)} ms`);
  console.log(`node -e 0: ${mean(bare).toFixed(0)} ms (min ${Math.min(...bare).toFixed(0)})`);
  console.log(`outside the profile (node start-up before it, exit, writing the profile): ${(mean(walls) - profiled).toFixed(0)} ms`);
  console.log(`inside the profile: ${profiled.toFixed(0)} ms`);
  console.log('| phase | ms |');
  console.log('|---|---|');
  for (const [name, ms] of rows) console.log(`| ${name} | ${ms.toFixed(1)} |`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
