/**
 * Reading ADD sources as tar archives with the layers' tar reader. What counts as an archive is BuildKit's rule
 * (isArchivePath): the content, decompressed if its first bytes say so, starts with a valid tar header. The
 * file name plays no part.
 */
import { LayerError, readTarEntries, type TarEntry } from '../../layers/index.js';
import { ArchiveBudget, defaultArchiveLimits, type ArchiveLimits } from './archive-limits.js';
import { decompressedFile } from './decompress.js';
import { AddSourceError, ArchiveUnreadableError } from './errors.js';

/** Whether `file` is a (possibly compressed) tar archive. Throws only when a needed decompressor is missing. */
export async function isArchive(file: string, label: string): Promise<boolean> {
  const source = decompressedFile(file, label);
  const entries = readTarEntries(source);
  try {
    const first = await entries.next();
    return !first.done;
  } catch (error) {
    if (error instanceof AddSourceError && !(error instanceof ArchiveUnreadableError)) throw error;
    return false;
  } finally {
    await entries.return();
    await source.return();
  }
}

/**
 * The entries of the archive `file`, in order. Damage anywhere (bad header, truncated body, decompressor
 * failure) is an ArchiveUnreadableError, also when it shows while an entry's body is read. Past `limits` it fails
 * with an ArchiveLimitError.
 */
export async function* archiveEntries(file: string, label: string, limits: ArchiveLimits = defaultArchiveLimits): AsyncGenerator<TarEntry, void, undefined> {
  const budget = new ArchiveBudget(limits, label);
  const source = decompressedFile(file, label);
  const entries = readTarEntries(budget.count(source));
  try {
    for (;;) {
      const next = await unreadableOnDamage(label, () => entries.next());
      if (next.done) return;
      const { header, body } = next.value;
      budget.admit(header.size);
      yield { header, body: bodyOf(label, body) };
    }
  } finally {
    await entries.return();
    await source.return();
  }
}

async function* bodyOf(label: string, body: AsyncIterable<Buffer>): AsyncGenerator<Buffer, void, undefined> {
  const iterator = body[Symbol.asyncIterator]();
  for (;;) {
    const next = await unreadableOnDamage(label, () => iterator.next());
    if (next.done) return;
    yield next.value;
  }
}

async function unreadableOnDamage<T>(label: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof AddSourceError) throw error;
    const zlibCode = (error as NodeJS.ErrnoException).code;
    if (error instanceof LayerError || (typeof zlibCode === 'string' && zlibCode.startsWith('Z_'))) {
      throw new ArchiveUnreadableError(label, (error as Error).message, { cause: error });
    }
    throw error;
  }
}
