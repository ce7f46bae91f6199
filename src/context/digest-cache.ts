/**
 * A persistent memo of file content digests, keyed by what a stat says about the file: absolute path, size,
 * mtime (ns), inode and device. A rebuild whose files kept those reads none of them again.
 *
 * Like Docker's context sync (and unlike git's default) the change time is not part of the key, so a file
 * rewritten with the same size whose mtime is then put back is not noticed. To stay safe against edits that
 * land within the file system's timestamp granularity, a digest is only trusted when the file's mtime was
 * at least two seconds older than the moment it was hashed ("racily clean" entries are hashed again). Since
 * a record only answers for its own mtime, that is decided once, when the digest is stored: a racily clean
 * digest is not remembered (and replaces what was remembered for the path).
 *
 * The memo is one JSON file in the cache directory, loaded once by `open` and replaced atomically (temp file
 * + rename) by `save`. An unreadable or foreign file, or one of another version, is ignored (and replaced on
 * the next save).
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { replaceFile } from '../files/index.js';
import type { ContextEntry } from './entry.js';
import { DigestCacheError } from './errors.js';

const FILE_NAME = 'context-file-digests.json';
const VERSION = 2;
/** Files modified this close to the hashing time are hashed again next time. */
const RACY_WINDOW_NS = 2_000_000_000n;
/** By default, entries beyond this many are dropped on save, least recently used first. */
const MAX_ENTRIES = 250_000;

/** A remembered digest, with the stat fields it answers for. */
interface Memo {
  readonly size: number;
  readonly mtimeNs: bigint;
  readonly ino: bigint;
  readonly dev: bigint;
  /** sha256 hex. */
  readonly digest: string;
  /** When it was last stored or looked up (a counter): the least recent are dropped first. */
  used: number;
}

/**
 * How a memo is written: [absolute path, size, mtimeNs, ino, dev, sha256 hex], the bigints in decimal. The file
 * lists them least recently used first.
 */
type StoredMemo = [string, number, string, string, string, string];

const DIGEST = /^[0-9a-f]{64}$/;

/** Adds a memo as `save` wrote it (a StoredMemo) to `memos`, unless it is malformed. */
function addStoredMemo(memos: Map<string, Memo>, value: unknown, used: number): void {
  // Indexed reads, not destructuring: this runs once per remembered file, before the JIT has warmed up.
  if (!Array.isArray(value) || value.length !== 6) return;
  const file: unknown = value[0];
  const size: unknown = value[1];
  const mtimeNs: unknown = value[2];
  const ino: unknown = value[3];
  const dev: unknown = value[4];
  const digest: unknown = value[5];
  if (typeof file !== 'string' || typeof size !== 'number' || typeof digest !== 'string' || !DIGEST.test(digest)) return;
  if (typeof mtimeNs !== 'string' || typeof ino !== 'string' || typeof dev !== 'string') return;
  try {
    memos.set(file, { size, mtimeNs: BigInt(mtimeNs), ino: BigInt(ino), dev: BigInt(dev), digest, used });
  } catch {
    // Not a decimal number: ignored like any other malformed memo.
  }
}

export class FileDigestCache {
  private dirty = false;

  private constructor(
    /** The memo file. */
    readonly file: string,
    private readonly memos: Map<string, Memo>,
    /** The last `used` value handed out. */
    private clock: number,
    private readonly maxEntries: number,
  ) {}

  /** Loads the memo kept in `cacheDir` (created on the first save); `save` keeps the `maxEntries` most recently used. */
  static async open(cacheDir: string, maxEntries = MAX_ENTRIES): Promise<FileDigestCache> {
    const file = path.join(path.resolve(cacheDir), FILE_NAME);
    const memos = new Map<string, Memo>();
    let stored: unknown[] = [];
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as { version?: unknown; memos?: unknown };
      if (parsed.version === VERSION && Array.isArray(parsed.memos)) stored = parsed.memos as unknown[];
    } catch {
      stored = [];
    }
    // Stored least recently used first, so a memo's position is its last use.
    for (let i = 0; i < stored.length; i++) addStoredMemo(memos, stored[i], i + 1);
    return new FileDigestCache(file, memos, stored.length, maxEntries);
  }

  /** How many digests are remembered. */
  get size(): number {
    return this.memos.size;
  }

  /** The remembered digest of `absolutePath` if `entry` (its current lstat) still matches it. */
  lookup(absolutePath: string, entry: ContextEntry): string | undefined {
    const memo = this.memos.get(absolutePath);
    if (!memo || memo.size !== entry.size || memo.mtimeNs !== entry.mtimeNs || memo.ino !== entry.ino || memo.dev !== entry.dev) return undefined;
    memo.used = ++this.clock;
    return memo.digest;
  }

  /** Remembers `digest` for the file `entry` describes, hashed at `hashedAtNs` (wall clock, ns). */
  store(absolutePath: string, entry: ContextEntry, digest: string, hashedAtNs: bigint): void {
    this.dirty = true;
    if (entry.mtimeNs + RACY_WINDOW_NS >= hashedAtNs) {
      this.memos.delete(absolutePath);
      return;
    }
    this.memos.set(absolutePath, { size: entry.size, mtimeNs: entry.mtimeNs, ino: entry.ino, dev: entry.dev, digest, used: ++this.clock });
  }

  /** Writes the memo if anything was stored since it was loaded; throws DigestCacheError. */
  async save(): Promise<void> {
    if (!this.dirty) return;
    const byUse = [...this.memos].sort((a, b) => a[1].used - b[1].used);
    for (const [file] of byUse.splice(0, Math.max(0, byUse.length - this.maxEntries))) this.memos.delete(file);
    const memos = byUse.map(([file, m]): StoredMemo => [file, m.size, String(m.mtimeNs), String(m.ino), String(m.dev), m.digest]);
    try {
      await mkdir(path.dirname(this.file), { recursive: true });
      await replaceFile(this.file, JSON.stringify({ version: VERSION, memos }));
    } catch (error) {
      throw new DigestCacheError(this.file, error);
    }
    this.dirty = false;
  }
}

/** The wall clock in nanoseconds (what file mtimes are compared with). */
export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}
