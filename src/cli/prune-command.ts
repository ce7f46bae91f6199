import { parseArgs } from 'node:util';
import type { CliIo } from './io.js';
import { formatBytes, openExistingStore, storeDir, withStoreErrors } from './store-command.js';

export const pruneUsage = `Usage: build-image prune [--cache-dir DIR] [--dry-run]

Remove from the content store what no image or cache entry keeps (and no running build-image uses): blobs,
unpacked snapshots, and leftovers of processes that are gone. Prints what it removed and the bytes freed.
      --cache-dir DIR   the store (default \$XDG_CACHE_HOME/build-image, else ~/.cache/build-image)
      --dry-run         print what would be removed; remove nothing`;

export async function pruneCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'cache-dir': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout.write(`${pruneUsage}\n`);
    return 0;
  }
  const dir = storeDir(values['cache-dir']);
  const dryRun = values['dry-run'] === true;
  return withStoreErrors(io, async () => {
    const store = await openExistingStore(dir);
    if (!store) {
      io.stdout.write(`no content store at ${dir}: nothing to remove\n`);
      return 0;
    }
    const report = await store.prune({ dryRun });
    const verb = dryRun ? 'would remove' : 'removed';
    for (const digest of report.removedBlobs) io.stdout.write(`${verb} blob ${digest}\n`);
    for (const chainId of report.removedSnapshots) io.stdout.write(`${verb} snapshot ${chainId}\n`);
    for (const file of report.removedLeftovers) io.stdout.write(`${verb} leftover ${file}\n`);
    for (const { digest, from } of report.missing) io.stderr.write(`warning: blob ${digest}, referenced by ${from}, is missing from the store\n`);
    for (const file of report.invalidRoots) io.stderr.write(`warning: ${file} is not a valid root (left in place)\n`);
    const counts = `${count(report.removedBlobs.length, 'blob')}, ${count(report.removedSnapshots.length, 'snapshot')}, ${count(report.removedLeftovers.length, 'leftover')}`;
    const kept = `kept ${count(report.keptBlobs, 'blob')} and ${count(report.keptSnapshots, 'snapshot')}`;
    io.stdout.write(
      dryRun
        ? `dry run: would remove ${counts}, freeing ${formatBytes(report.freedBytes)} of blobs; ${kept}\n`
        : `removed ${counts}; freed ${formatBytes(report.freedBytes)} of blobs; ${kept}\n`,
    );
    return 0;
  });
}

function count(value: number, noun: string): string {
  return `${value} ${noun}${value === 1 ? '' : 's'}`;
}
