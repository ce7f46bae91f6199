/**
 * A counting semaphore: at most `limit` tasks run at once, the others wait in FIFO order. Only leaf
 * operations (one syscall, one file read) take a slot, so nested use cannot deadlock.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    checkConcurrency(limit);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** Default of the `concurrency` options, which are only checked now that the walk is synchronous. */
export const DEFAULT_FS_CONCURRENCY = 64;

/** Default number of files hashed at once. */
export const DEFAULT_READ_CONCURRENCY = 8;

/** Throws RangeError unless `limit` is a positive integer. */
export function checkConcurrency(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
}
