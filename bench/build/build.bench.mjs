/**
 * Whole builds of a reference project (reference-project.mjs: busybox base, ENV, WORKDIR, 3 RUN steps, COPY of
 * 2,000 small files), timed with hyperfine in one run against the peers that are installed:
 *
 *   ours             node bin/build-image.js -q --cache-dir CACHE --build-context busybox-base=oci-layout://BASE:latest
 *                      -o type=oci,dest=OUT,tar=false PROJECT                      (RUN in crun/runc/chroot: auto)
 *   buildah          buildah --root R --runroot RR --storage-driver vfs build --layers --isolation chroot -q ...
 *   docker classic   DOCKER_BUILDKIT=0 docker build -q --network=none ...            (a dockerd this script starts)
 *   docker buildkit  DOCKER_BUILDKIT=1 docker build -q --network=none ...            (dockerd's built-in BuildKit)
 *
 * Cold: before every run the builder's cache is emptied (ours: the cache dir and the output removed; buildah: the
 * image and its intermediate images removed; docker: both tags removed, dangling images and the BuildKit cache
 * pruned). The base image stays loaded in buildah's and docker's stores (skopeo copies it there once, and
 * `docker load`s it); ours imports it from the OCI layout into its empty store in every cold run. Cached: the same
 * command again with nothing changed (two warm-up runs first). Every run is a whole process: node's start-up counts
 * for us; docker's daemon is already up.
 *
 * The docker daemon is Debian's docker.io (dockerd 20.10), started here with its own data root, exec root and
 * socket under the temp dir (overlay2, or vfs when overlay2 does not work), and stopped at the end. Debian's client
 * (/usr/bin/docker) is preferred over another one on PATH so client and daemon match.
 *
 * Targets (ours / peer, means): cold <= 0.5x buildah and <= 1.5x docker BuildKit; cached <= 0.3x buildah and
 * <= 2x docker BuildKit. A miss is printed, not an error; a peer that is not installed or does not start is
 * skipped, saying why.
 * Usage: npm run bench -- build   or   node bench/build/build.bench.mjs [--runs 10] [--cold-runs 5]
 *        [--only ours,buildah,docker-classic,docker-buildkit] [--root DIR]   (DIR: a copy of the package with its
 *        own bin/ and dist/ to measure instead of this one; after npm run build; needs hyperfine, umoci,
 *        busybox-static; buildah, docker.io and skopeo for the peers)
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BASE_CONTEXT, DIRECTORIES, FILES_PER_DIRECTORY, makeReferenceProject } from './reference-project.mjs';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    'cold-runs': { type: 'string', default: '5' },
    only: { type: 'string' },
    root: { type: 'string' },
  },
});
const cachedRuns = Number(values.runs);
const coldRuns = Number(values['cold-runs']);
const only = values.only?.split(',');
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
/** Where the measured build-image is: this repository, or (--root) a copy with its own bin/ and dist/. */
const oursRoot = path.resolve(values.root ?? repoRoot);
const TARGETS = { buildah: { cold: 0.5, cached: 0.3 }, 'docker-buildkit': { cold: 1.5, cached: 2 } };

const quote = (text) => (/^[\w@%+=:,./-]+$/.test(String(text)) ? String(text) : `'${String(text).replaceAll("'", "'\\''")}'`);
const shell = (args) => args.map(quote).join(' ');
const wanted = (name) => only === undefined || only.includes(name);

function which(command) {
  const found = spawnSync('sh', ['-c', `command -v ${quote(command)}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

function run(args, options = {}) {
  const result = spawnSync(args[0], args.slice(1), { encoding: 'utf8', ...options });
  if (result.status !== 0) throw new Error(`${shell(args)} failed (${result.status ?? result.signal}):\n${result.stderr ?? ''}${result.stdout ?? ''}`);
  return result.stdout.trim();
}

const firstLine = (text) => text.split('\n')[0].trim();
const loadAverage = () => os.loadavg().map((value) => value.toFixed(2)).join(' ');

for (const [tool, advice] of [
  ['hyperfine', 'apt-get install hyperfine'],
  ['umoci', 'apt-get install umoci'],
  ['busybox', 'apt-get install busybox-static'],
]) {
  if (!which(tool)) {
    console.log(`SKIPPED build benchmark: ${tool} not installed (Debian: ${advice})`);
    process.exit(0);
  }
}
if (!existsSync(path.join(oursRoot, 'dist/cli/index.js'))) throw new Error('dist/ is missing: run npm run build first');

let interrupted = false;
process.on('SIGINT', () => {
  interrupted = true;
});

/** A dockerd of our own, under `dir`: resolves to { env, driver, stop() } or throws why it did not start. */
async function startDockerd(dockerd, docker, dir, driver) {
  const paths = { data: path.join(dir, 'data'), exec: path.join(dir, 'exec'), config: path.join(dir, 'config') };
  for (const folder of Object.values(paths)) await mkdir(folder, { recursive: true });
  const socket = path.join(dir, 'docker.sock');
  const logFile = path.join(dir, `dockerd-${driver}.log`);
  // Straight to a file: through a pipe, dockerd would block on a full pipe while this process waits for hyperfine.
  const log = openSync(logFile, 'w');
  const args = [
    '--data-root', paths.data, '--exec-root', paths.exec, '--pidfile', path.join(dir, 'dockerd.pid'), '--host', `unix://${socket}`,
    '--storage-driver', driver, '--bridge', 'none', '--iptables=false', '--ip-masq=false', '--userland-proxy=false',
  ];
  const child = spawn(dockerd, args, { stdio: ['ignore', log, log] });
  closeSync(log);
  let exited = false;
  const exit = new Promise((resolve) => child.once('exit', () => resolve((exited = true))));
  const env = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: paths.config };
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      await Promise.race([exit, sleep(30_000)]);
      if (!exited) child.kill('SIGKILL');
      await exit;
    }
  };
  for (let waited = 0; waited < 40_000; waited += 250) {
    if (exited) break;
    if (spawnSync(docker, ['info', '--format', '{{.Driver}}'], { env, encoding: 'utf8' }).stdout?.trim() === driver) return { env, driver, stop };
    await sleep(250);
  }
  await stop();
  const tail = (await readFile(logFile, 'utf8')).trim().split('\n').slice(-3).join(' / ');
  throw new Error(`dockerd with --storage-driver ${driver} did not start: ${tail}`);
}

/** Processes whose command line names `dir` (a containerd or shim dockerd left behind): their pids. */
function processesUnder(dir) {
  const pids = [];
  for (const pid of spawnSync('ls', ['/proc'], { encoding: 'utf8' }).stdout.split('\n').filter((name) => /^\d+$/.test(name))) {
    if (Number(pid) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) pids.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Unmounts whatever is still mounted below `dir`, deepest first. */
function unmountUnder(dir) {
  const mounts = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((point) => point !== undefined && point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of mounts) spawnSync('umount', ['-l', point], { stdio: 'ignore' });
  return mounts.length;
}

/**
 * One hyperfine run over `entries` ({ name, command, prepare? }): the per-run summaries, by name (seconds).
 * Extra hyperfine options in `options`.
 */
function hyperfine(entries, options, env, work, label) {
  const json = path.join(work, `hyperfine-${label}.json`);
  const args = ['-N', '--style', 'basic', '--export-json', json, ...options];
  if (entries.some((entry) => entry.prepare)) for (const entry of entries) args.push('--prepare', entry.prepare ?? 'true');
  for (const entry of entries) args.push('--command-name', entry.name, entry.command);
  const result = spawnSync('hyperfine', args, { stdio: 'inherit', env });
  if (interrupted) throw new Error('interrupted');
  if (result.status !== 0) throw new Error(`hyperfine failed (${result.status ?? result.signal})`);
  const results = JSON.parse(readFileSync(json, 'utf8')).results;
  return Object.fromEntries(results.map((entry) => [entry.command, entry]));
}

const work = await mkdtemp(path.join(os.tmpdir(), 'build-bench-'));
const cleanups = [];
const skipped = [];
const versions = [];
try {
  const { base, project } = makeReferenceProject(work);
  console.log(`reference project: ${DIRECTORIES * FILES_PER_DIRECTORY} files in ${project}, busybox base ${base}`);
  const builders = [];
  const env = { ...process.env };

  versions.push(`node ${process.version}`, firstLine(run(['hyperfine', '--version'])));
  for (const runtime of ['crun', 'runc']) if (which(runtime)) versions.push(firstLine(run([runtime, '--version'])));
  const oursCache = path.join(work, 'ours-cache');
  const oursOut = path.join(work, 'ours-out');
  if (wanted('ours')) {
    builders.push({
      name: 'ours',
      command: shell([process.execPath, path.join(oursRoot, 'bin/build-image.js'), '-q', '--cache-dir', oursCache, '--build-context', `${BASE_CONTEXT}=oci-layout://${base}:latest`, '-o', `type=oci,dest=${oursOut},tar=false`, project]),
      prepare: shell(['rm', '-rf', oursCache, oursOut]),
    });
  }

  const skopeo = which('skopeo');
  if (wanted('buildah')) {
    const buildah = which('buildah');
    if (!buildah) skipped.push(['buildah', 'not installed (Debian: apt-get install buildah)']);
    else if (!skopeo) skipped.push(['buildah', 'skopeo, which loads the base image into its store, is not installed']);
    else {
      const root = path.join(work, 'buildah');
      const b = [buildah, '--root', path.join(root, 'storage'), '--runroot', path.join(root, 'run'), '--storage-driver', 'vfs'];
      try {
        run([skopeo, 'copy', '-q', `oci:${base}:latest`, `containers-storage:[vfs@${path.join(root, 'storage')}+${path.join(root, 'run')}]localhost/bench-busybox:latest`]);
        versions.push(firstLine(run([buildah, '--version'])));
        cleanups.push(() => spawnSync(b[0], [...b.slice(1), 'rm', '--all'], { stdio: 'ignore' }));
        builders.push({
          name: 'buildah',
          // --isolation chroot refuses --network none: buildah's RUN steps see the host's network.
          command: shell([...b, 'build', '--layers', '--isolation', 'chroot', '-q', '--build-arg', 'BASE=localhost/bench-busybox:latest', '-t', 'localhost/bench-out:latest', project]),
          prepare: `sh -c ${quote(`${shell([...b, 'rmi', '-f', 'localhost/bench-out:latest'])} >/dev/null 2>&1; ${shell([...b, 'rmi', '--prune'])} >/dev/null 2>&1; true`)}`,
        });
      } catch (error) {
        skipped.push(['buildah', `its store could not be set up: ${error.message}`]);
      }
    }
  }

  if (wanted('docker-classic') || wanted('docker-buildkit')) {
    const dockerd = existsSync('/usr/sbin/dockerd') ? '/usr/sbin/dockerd' : which('dockerd');
    const docker = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : which('docker');
    let reason;
    if (!dockerd || !docker) reason = 'not installed (Debian: apt-get install docker.io)';
    else if (!skopeo) reason = 'skopeo, which makes the base image a docker-archive, is not installed';
    let daemon;
    const failures = [];
    for (const driver of reason === undefined ? ['overlay2', 'vfs'] : []) {
      try {
        daemon = await startDockerd(dockerd, docker, path.join(work, 'docker'), driver);
        break;
      } catch (error) {
        failures.push(error.message);
      }
    }
    if (reason === undefined && daemon === undefined) reason = `dockerd did not start: ${failures.join('; ')}`;
    if (daemon) {
      cleanups.push(() => daemon.stop());
      if (failures.length > 0) console.log(`note: ${failures.join('; ')}; using ${daemon.driver}`);
      Object.assign(env, { DOCKER_HOST: daemon.env.DOCKER_HOST, DOCKER_CONFIG: daemon.env.DOCKER_CONFIG });
      const archive = path.join(work, 'base-docker.tar');
      run([skopeo, 'copy', '-q', `oci:${base}:latest`, `docker-archive:${archive}:bench-busybox:latest`]);
      run([docker, 'load', '-q', '-i', archive], { env });
      versions.push(`docker client ${run([docker, 'version', '--format', '{{.Client.Version}}'], { env })}, dockerd ${run([docker, 'version', '--format', '{{.Server.Version}}'], { env })} (storage driver ${daemon.driver}, BuildKit built into dockerd)`);
      const d = shell([docker]);
      const reset = `sh -c ${quote(`${d} rmi -f bench-classic bench-buildkit >/dev/null 2>&1; ${d} image prune -f >/dev/null; ${d} builder prune -af >/dev/null; true`)}`;
      for (const [name, buildkit] of [['docker-classic', '0'], ['docker-buildkit', '1']]) {
        if (!wanted(name)) continue;
        builders.push({
          name,
          command: shell(['env', `DOCKER_BUILDKIT=${buildkit}`, docker, 'build', '-q', '--network=none', '--build-arg', 'BASE=bench-busybox:latest', '-t', name === 'docker-classic' ? 'bench-classic' : 'bench-buildkit', project]),
          prepare: reset,
        });
      }
    } else {
      for (const name of ['docker-classic', 'docker-buildkit']) if (wanted(name)) skipped.push([name, reason]);
    }
  }

  console.log(`versions: ${versions.join('; ')}`);
  for (const [name, why] of skipped) console.log(`SKIPPED ${name}: ${why}`);
  const loads = [`before cold: ${loadAverage()}`];
  console.log(`\n-- cold builds (${coldRuns} runs each, caches emptied before each run); load average ${loadAverage()}`);
  const cold = hyperfine(builders, ['--runs', String(coldRuns)], env, work, 'cold');
  loads.push(`before cached: ${loadAverage()}`);
  console.log(`\n-- fully cached rebuilds (${cachedRuns} runs each, 2 warm-up runs); load average ${loadAverage()}`);
  const cached = hyperfine(
    builders.map(({ name, command }) => ({ name, command })),
    ['--runs', String(cachedRuns), '--warmup', '2'],
    env,
    work,
    'cached',
  );
  loads.push(`after: ${loadAverage()}`);

  const seconds = (entry) => `${entry.mean.toFixed(3)} s ± ${(entry.stddev ?? 0).toFixed(3)} (median ${entry.median.toFixed(3)})`;
  console.log('\n| builder | cold | cached | ours / it, cold | ours / it, cached |');
  console.log('|---|---|---|---|---|');
  for (const { name } of builders) {
    const ratio = (table) => (cold.ours && name !== 'ours' ? `${(table.ours.mean / table[name].mean).toFixed(2)}x` : '');
    console.log(`| ${name} | ${seconds(cold[name])} | ${seconds(cached[name])} | ${ratio(cold)} | ${ratio(cached)} |`);
  }
  for (const [name, why] of skipped) console.log(`| ${name} | skipped: ${why} | | | |`);
  console.log(`load average (1, 5, 15 min): ${loads.join('; ')}`);
  if (cold.ours) {
    for (const [peer, limits] of Object.entries(TARGETS)) {
      if (!cold[peer]) {
        console.log(`target against ${peer}: not measured (${skipped.find(([name]) => name === peer)?.[1] ?? 'not selected'})`);
        continue;
      }
      for (const kind of ['cold', 'cached']) {
        const table = kind === 'cold' ? cold : cached;
        const ratio = table.ours.mean / table[peer].mean;
        console.log(`target ${kind} <= ${limits[kind]}x ${peer}: ${ratio.toFixed(2)}x ${ratio <= limits[kind] ? 'met' : 'NOT met'}`);
      }
    }
  }
} finally {
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      console.error(`cleanup: ${error.message}`);
    }
  }
  for (const pid of processesUnder(work)) {
    console.error(`cleanup: ending process ${pid}, left behind under ${work}`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const unmounted = unmountUnder(work);
  if (unmounted > 0) console.error(`cleanup: unmounted ${unmounted} mounts left under ${work}`);
  await rm(work, { recursive: true, force: true, maxRetries: 3 });
}
