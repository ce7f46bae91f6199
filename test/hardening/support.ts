/**
 * Shared by the hardening tests: the CLI as a child process (what users run: bin/build-image.js over dist/),
 * seeded generated contexts, and the checks for what a dead build may leave on the host (mounts, processes).
 */
import { readdir, readFile } from 'node:fs/promises';
import { busyboxImage, type BusyboxImage } from '../fixtures/busybox-image.js';
import { toolsAvailable } from '../fixtures/tools.js';
import { distAvailable, spawnCli } from '../support/cli-process.js';
import { seededRandom } from '../support/seeded-random.js';
import { repoRoot } from '../support/shared-data.js';

export { seededRandom };

/** What a RUN build needs here: root, crun, the busybox base and dist/; undefined (after a loud warning) when not. */
export async function runBuildPrerequisites(suite: string): Promise<BusyboxImage | undefined> {
  if (!distAvailable(suite)) return undefined;
  if (process.getuid?.() !== 0) {
    const message = `SKIPPED ${suite}: RUN steps need root here`;
    if (process.env.CI === 'true') throw new Error(`${message} (required when CI=true)`);
    console.warn(`\n*** ${message} ***\n`);
    return undefined;
  }
  if (!toolsAvailable(suite, ['crun', 'umount'], ['crun', 'mount'])) return undefined;
  return busyboxImage();
}


/** `size` bytes of seeded pseudo-random data (xorshift32 words: fast, and incompressible enough). */
export function seededBytes(seed: number, size: number): Buffer {
  const bytes = Buffer.alloc(size);
  let state = seed >>> 0 || 1;
  for (let offset = 0; offset + 4 <= size; offset += 4) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes.writeUInt32LE(state >>> 0, offset);
  }
  return bytes;
}

export interface CliRun {
  pid: number;
  /** Progress events (with `--progress=json`) as they arrive. */
  events: { type: string; time: number }[];
  /** Resolves when the process has exited. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Resolves when the Nth event (1-based; 0: at once) has arrived, or the process has exited. */
  event(count: number): Promise<void>;
  /** Standard error so far. */
  stderrText(): string;
  kill(): void;
}

/** Starts `node bin/build-image.js ARGS` with a clean SOURCE_DATE_EPOCH (tests pass --reproducible). */
export function startCli(args: readonly string[]): CliRun {
  const env = { ...process.env };
  delete env.SOURCE_DATE_EPOCH;
  const child = spawnCli(args, { cwd: repoRoot, env });
  const events: CliRun['events'] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let stdout = '';
  let stderr = '';
  let partial = '';
  let exited = false;
  const wake = () => {
    for (const waiter of waiters.splice(0)) {
      if (exited || events.length >= waiter.count) waiter.resolve();
      else waiters.push(waiter);
    }
  };
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    stderr += text;
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const event = JSON.parse(line) as { type: string };
        events.push({ type: event.type, time: Date.now() });
      } catch {
        // not an event
      }
    }
    wake();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      exited = true;
      wake();
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    pid: child.pid ?? -1,
    events,
    exit,
    event: (count) =>
      new Promise((resolve) => {
        waiters.push({ count, resolve });
        wake();
      }),
    stderrText: () => stderr,
    kill: () => {
      if (!exited) child.kill('SIGKILL');
    },
  };
}

/** Runs the CLI to the end; rejects unless it exits 0. */
export async function runCliOrThrow(args: readonly string[]): Promise<{ stdout: string; stderr: string; events: CliRun['events'] }> {
  const started = startCli(args);
  const end = await started.exit;
  if (end.code !== 0) throw new Error(`build-image ${args.join(' ')} exited with ${end.code ?? end.signal}:\n${end.stderr.slice(-4000)}\n${end.stdout.slice(-2000)}`);
  return { stdout: end.stdout, stderr: end.stderr, events: started.events };
}

/** The image digest a build printed (`digest: sha256:...`). */
export function printedDigest(stdout: string): string {
  const match = /digest: (sha256:[0-9a-f]{64})/.exec(stdout) ?? /^(sha256:[0-9a-f]{64})$/m.exec(stdout);
  if (!match) throw new Error(`no digest in the output:\n${stdout}`);
  return match[1];
}

/** The arguments of a reproducible build of `context` into `cacheDir`, FROM busybox resolved to the fixture. */
export function buildArgs(context: string, cacheDir: string, output: string, busybox: BusyboxImage, extra: readonly string[] = []): string[] {
  return [
    '--reproducible',
    '--cache-dir',
    cacheDir,
    '--build-context',
    `busybox=${busybox.reference}`,
    '--output',
    `type=oci,dest=${output},tar=false`,
    ...extra,
    context,
  ];
}

/** Mount points (or mounts whose options name a path) under `dir`, from this process's mountinfo. */
export async function mountsMentioning(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text.split('\n').filter((line) => line.includes(dir));
}

/**
 * Live processes (not zombies) that belong to builds in `dir`: their command line names it (a runtime, `cp`, a
 * build), or their root mount does (a container over an overlay whose upper dir lies there).
 */
export async function processesMentioning(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (stat === '' || state === 'Z' || state === 'X') continue;
    const cmdline = (await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
    const rootMount = (await readFile(`/proc/${name}/mountinfo`, 'utf8').catch(() => '')).split('\n').find((line) => line.split(' ')[4] === '/') ?? '';
    if (cmdline.includes(dir) || rootMount.includes(dir)) found.push(`${name}: ${cmdline.trim() || rootMount}`);
  }
  return found;
}
