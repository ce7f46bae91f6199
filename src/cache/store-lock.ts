import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { link, readFile, rename, unlink, utimes } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreLockTimeoutError } from './errors.js';
import { abandoned, hostTag, ownedName, type Owner } from './owner.js';

export interface StoreLockOptions {
  /** Give up after waiting this long (default 15 minutes). */
  timeoutMs?: number;
  /** A lock not refreshed for this long is stale (default 2 minutes; the holder refreshes it every quarter of that). */
  staleMs?: number;
}

interface OwnedContent extends Owner {
  token: string;
  since: string;
}

/** Per lock file: the tail of this process's queue, so that one process takes the file lock once at a time. */
const queues = new Map<string, Promise<unknown>>();

/**
 * The store-wide lock: a file created with `open(..., 'wx')` holding owner host, pid and a token. A lock whose
 * owner process is gone (same host), or that its holder has not refreshed for `staleMs`, is broken: renamed aside,
 * checked to be the one judged stale, and removed. Waiters poll with short jittered backoff; the first waiter
 * claims the turn after the holder (`<lock>.next`), so that a process taking the lock again and again (a writer,
 * a prune loop) cannot starve the others. Within one process, holders queue in memory first.
 *
 * Known limit: processes sharing a store across PID namespaces with the same hostname may see a live holder as
 * gone.
 */
export class StoreLock {
  readonly file: string;
  private readonly next: string;
  private readonly timeoutMs: number;
  private readonly staleMs: number;

  constructor(file: string, options: StoreLockOptions = {}) {
    this.file = file;
    this.next = `${file}.next`;
    this.timeoutMs = options.timeoutMs ?? 15 * 60_000;
    this.staleMs = options.staleMs ?? 2 * 60_000;
  }

  /** Runs `action` holding the lock. */
  async withLock<T>(action: () => Promise<T>): Promise<T> {
    const previous = queues.get(this.file) ?? Promise.resolve();
    const run = previous.then(async () => {
      const token = await this.acquire();
      const refresh = setInterval(() => void utimes(this.file, new Date(), new Date()).catch(() => undefined), this.staleMs / 4);
      refresh.unref();
      try {
        return await action();
      } finally {
        clearInterval(refresh);
        releaseOwned(this.file, token);
      }
    });
    const tail = run.catch(() => undefined);
    queues.set(this.file, tail);
    void tail.then(() => {
      if (queues.get(this.file) === tail) queues.delete(this.file);
    });
    return run;
  }

  private async acquire(): Promise<string> {
    const started = Date.now();
    const token = randomBytes(8).toString('hex');
    let claimed = false;
    let delay = 1;
    try {
      for (;;) {
        const turn = inspectOwned(this.next, this.staleMs);
        if (turn.exists && turn.token !== token && turn.stale) {
          await breakStale(this.next, turn.text);
          continue;
        }
        const myTurn = !turn.exists || turn.token === token;
        if (myTurn && createOwned(this.file, token)) return token;

        if (!claimed && !turn.exists) claimed = createOwned(this.next, token);
        else if (claimed) await utimes(this.next, new Date(), new Date()).catch(() => undefined);

        const holder = inspectOwned(this.file, this.staleMs);
        if (holder.exists && holder.stale) {
          await breakStale(this.file, holder.text);
          continue;
        }
        if (Date.now() - started > this.timeoutMs) throw new StoreLockTimeoutError(this.file, Date.now() - started, holder.text);
        // Short, jittered polls: the lock is held briefly by writers, and waiters should not fall into step.
        await sleep(delay + Math.random() * delay);
        delay = Math.min(delay * 2, 20);
      }
    } finally {
      if (claimed) releaseOwned(this.next, token);
    }
  }
}

/** Creates an owned file exclusively; false when it exists. */
function createOwned(file: string, token: string): boolean {
  const content: OwnedContent = { host: hostTag, pid: process.pid, token, since: new Date().toISOString() };
  try {
    writeFileSync(file, JSON.stringify(content), { flag: 'wx', mode: 0o644 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

interface OwnedState {
  exists: boolean;
  stale: boolean;
  text: string | undefined;
  token: string | undefined;
}

/** Who owns a file and whether it is stale. An empty or half-written file is judged by its age alone. */
function inspectOwned(file: string, staleMs: number): OwnedState {
  try {
    const text = readFileSync(file, 'utf8');
    const info = statSync(file);
    let owner: Owner | undefined;
    let token: string | undefined;
    try {
      const parsed = JSON.parse(text) as Partial<OwnedContent>;
      if (typeof parsed.host === 'string' && typeof parsed.pid === 'number') owner = { host: parsed.host, pid: parsed.pid };
      token = parsed.token;
    } catch {
      // being written: judge by age
    }
    return { exists: true, stale: abandoned(owner, info.mtimeMs, staleMs), text, token };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, stale: false, text: undefined, token: undefined };
    throw error;
  }
}

/**
 * Removes a stale owned file: renames it aside, then checks that what was moved is the file judged stale. If
 * another process took it in between, puts it back (link fails if yet another took it since: then it is theirs).
 */
async function breakStale(file: string, staleText: string | undefined): Promise<void> {
  // Owner-stamped, so that the copy of a breaker that dies here is recognised as a leftover (see recover.ts).
  const aside = `${file}.stale-${ownedName()}`;
  try {
    await rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await readFile(aside, 'utf8').catch(() => undefined);
  if (moved !== staleText) await link(aside, file).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

/** Removes an owned file if it is still this token's. */
function releaseOwned(file: string, token: string): void {
  try {
    if ((JSON.parse(readFileSync(file, 'utf8')) as OwnedContent).token === token) unlinkSync(file);
  } catch {
    // gone already, or not an owned file
  }
}
