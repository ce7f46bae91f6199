/**
 * How far one ADD archive may expand: entries (every header the reader yields) and bytes of decompressed tar stream.
 * A tar or gzip bomb is stopped when it crosses either, before its content reaches the disk; an entry whose declared
 * size alone would cross the byte limit is refused before any of its content is read.
 */
import { ArchiveLimitError } from './errors.js';

export interface ArchiveLimits {
  /** Entries one archive may hold (default 1,000,000). */
  readonly archiveEntries: number;
  /** Bytes one archive may expand to, headers included (default 32 GiB). */
  readonly archiveBytes: number;
}

export const defaultArchiveLimits: ArchiveLimits = { archiveEntries: 1_000_000, archiveBytes: 32 * 1024 ** 3 };

/** The limits with defaults for what is not given; a value that is not a positive integer is refused. */
export function archiveLimits(given: Partial<ArchiveLimits> | undefined): ArchiveLimits {
  const limits = { ...defaultArchiveLimits, ...Object.fromEntries(Object.entries(given ?? {}).filter(([, value]) => value !== undefined)) };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`limits.${name} must be a positive integer, got ${String(value)}`);
  }
  return limits;
}

/** Counts an archive's expansion as it is read and refuses it past its limits. */
export class ArchiveBudget {
  private entries = 0;
  private bytes = 0;

  constructor(
    private readonly limits: ArchiveLimits,
    private readonly label: string,
  ) {}

  /** The decompressed stream, counted; fails as soon as it grows past the byte limit. */
  async *count(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer, void, undefined> {
    for await (const chunk of chunks) {
      this.bytes += chunk.length;
      if (this.bytes > this.limits.archiveBytes) throw this.tooLarge();
      yield chunk;
    }
  }

  /** One more entry whose content is `size` bytes: refused when either limit would be crossed. */
  admit(size: number): void {
    if (++this.entries > this.limits.archiveEntries) {
      throw new ArchiveLimitError(this.label, `it has more than ${this.limits.archiveEntries} entries`, 'archiveEntries');
    }
    if (this.bytes + size > this.limits.archiveBytes) throw this.tooLarge();
  }

  private tooLarge(): ArchiveLimitError {
    return new ArchiveLimitError(this.label, `it expands to more than ${this.limits.archiveBytes} bytes`, 'archiveBytes');
  }
}
