import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ContentStore, defaultStoreRoot, StoreError, StoreLayout, type VerifyReport } from '../cache/index.js';
import { UsageError, type CliIo } from './io.js';

export const storeUsage = `Usage: build-image store verify [--cache-dir DIR]

Check the content store: every blob is read and hashed against its digest, and every root, lease, temp entry
and mount under the store is checked. Prints each problem (corrupt or missing blobs, files that do not belong,
leftovers of processes that are gone, mounts no process owns, invalid roots) and exits 1 when there is one;
\`build-image prune\` removes leftovers. Opening the store first cleans up after build-image processes of this
host that died (killed or crashed): their temp files, leases, overlay mounts and the helper processes they left.
      --cache-dir DIR   the store (default \$XDG_CACHE_HOME/build-image, else ~/.cache/build-image)`;

/** `--cache-dir` names a directory that holds something other than a store. */
class NotAStoreError extends Error {
  override readonly name = 'NotAStoreError';
}

/** What ContentStore.open makes before it writes the version file. */
const storeEntries = new Set(['blobs', 'snapshots', 'refs', 'leases', 'tmp', 'lock', 'lock.next']);

/** The store at `dir`, or undefined when there is none (a missing or empty directory); never creates one. */
export async function openExistingStore(dir: string): Promise<ContentStore | undefined> {
  const layout = new StoreLayout(dir);
  const entries = await readdir(layout.root).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (entries === undefined || entries.length === 0) return undefined;
  const version = await stat(layout.version).catch(() => undefined);
  // A store another process is creating right now has its directories before its version file.
  const beingCreated = entries.every((name) => storeEntries.has(name));
  if (!version?.isFile() && !beingCreated) {
    // Opening would lay out a store inside whatever directory this is.
    throw new NotAStoreError(`${layout.root} is not a build-image content store (it has no ${path.basename(layout.version)} file)`);
  }
  return ContentStore.open({ root: layout.root });
}

/** `--cache-dir`, else the ContentStore's default. */
export function storeDir(cacheDir: string | undefined): string {
  return path.resolve(cacheDir ?? defaultStoreRoot());
}

/** `1234567` → `1.2 MiB (1234567 bytes)`. */
export function formatBytes(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  if (bytes < 1024) return `${bytes} bytes`;
  let value = bytes;
  let unit = -1;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]} (${bytes} bytes)`;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** Runs a store operation, turning store errors into `build-image: message` and exit code 1. */
export async function withStoreErrors(io: CliIo, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof StoreError || error instanceof NotAStoreError) {
      io.stderr.write(`build-image: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

export async function storeCommand(argv: string[], io: CliIo): Promise<number> {
  const [subcommand, ...rest] = argv;
  switch (subcommand) {
    case 'verify':
      return verifyCommand(rest, io);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      io.stdout.write(`${storeUsage}\n`);
      return subcommand === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown store command '${subcommand}' (expected verify)`);
  }
}

async function verifyCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { 'cache-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout.write(`${storeUsage}\n`);
    return 0;
  }
  const dir = storeDir(values['cache-dir']);
  return withStoreErrors(io, async () => {
    const store = await openExistingStore(dir);
    if (!store) {
      io.stdout.write(`no content store at ${dir}: nothing to verify\n`);
      return 0;
    }
    const { removed, unmounted, killed } = store.recovered;
    for (const file of removed) io.stdout.write(`cleaned up ${file} (left by a build-image process that died)\n`);
    for (const mountPoint of unmounted) io.stdout.write(`unmounted ${mountPoint} (left by a build-image process that died)\n`);
    for (const pid of killed) io.stdout.write(`killed process ${pid} (started by a build-image process that died)\n`);
    const report = await store.verify();
    const problems = verifyProblems(report);
    for (const problem of problems) io.stdout.write(`${problem}\n`);
    const checked = `${plural(report.blobs, 'blob')} (${formatBytes(report.bytes)}) and ${plural(report.snapshots, 'snapshot')} in ${dir}`;
    if (problems.length === 0) {
      io.stdout.write(`ok: ${checked}\n`);
      return 0;
    }
    io.stdout.write(`${plural(problems.length, 'problem')} found checking ${checked}\n`);
    return 1;
  });
}

/** One line per problem of a verify report. */
export function verifyProblems(report: VerifyReport): string[] {
  return [
    ...report.corrupt.map(({ digest, actual, file }) => `corrupt blob ${digest}: its content hashes to ${actual} (${file})`),
    ...report.missing.map(({ digest, from }) => `missing blob ${digest}, referenced by ${from}`),
    ...report.invalidRoots.map((file) => `invalid root ${file}`),
    ...report.strays.map((file) => `stray entry ${file} (not named by a digest, or not the right kind of file)`),
    ...report.leftovers.map((file) => `leftover ${file} (of a process that is gone; prune removes it)`),
    ...report.mounts.map((mountPoint) => `leftover mount ${mountPoint} (no running build-image process owns it; unmount it, then prune)`),
  ];
}
