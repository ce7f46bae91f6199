/**
 * A persistent memo of file content digests, keyed by what a stat says about the file: absolute path, size,
 * mtime (ns), inode and device. A rebuild whose files kept those reads none of them again.
 *
 * Like Docker's context sync (and unlike git's default) the change time is not part of the key, so a file
 * rewritten with the same size whose mtime is then put back is not noticed. To stay safe against edits that
 * land within the file system's timestamp granularity, a digest is only trusted when the file's mtime was
 * at least two seconds older than the moment it was hashed ("racily clean" entries are hashed again).
 *
 * The memo is one JSON file in the cache directory, loaded once by `open` and replaced atomically (temp file
 * + rename) by `save`. An unreadable or foreign file is ignored (and replaced on the next save).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ContextEntry } from './entry.js';
import { DigestCacheError } from './errors.js';

const FILE_NAME = 'context-file-digests.json';
const VERSION = 1;
/** Files modified this close to the hashing time are hashed again next time. */
const RACY_WINDOW_NS = 2_000_000_000n;
/** Entries beyond this many are dropped on save, least recently used first. */
const MAX_ENTRIES = 250_000;

/** [size, mtimeNs, ino, dev, hashedAtNs, sha256 hex] */
type Record = [number, string, string, string, string, string];

function isRecord(value: unknown): value is Record {
  return (
    Array.isArray(value) &&
    value.length === 6 &&
    typeof value[0] === 'number' &&
    value.slice(1).every((v) => typeof v === 'string') &&
    /^[0-9a-f]{64}$/.test(value[5] as string)
  );
}

export class FileDigestCache {
  private readonly records: Map<string, Record>;
  private dirty = false;

  private constructor(
    /** The memo file. */
    readonly file: string,
    records: Map<string, Record>,
  ) {
    this.records = records;
  }

  /** Loads the memo kept in `cacheDir` (created on the first save). */
  static async open(cacheDir: string): Promise<FileDigestCache> {
    const file = path.join(path.resolve(cacheDir), FILE_NAME);
    const records = new Map<string, Record>();
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      try {
        const parsed = JSON.parse(text) as { version?: unknown; entries?: unknown };
        if (parsed.version === VERSION && parsed.entries && typeof parsed.entries === 'object') {
          for (const [key, value] of Object.entries(parsed.entries as { [key: string]: unknown })) {
            if (isRecord(value)) records.set(key, value);
          }
        }
      } catch {
        records.clear();
      }
    }
    return new FileDigestCache(file, records);
  }

  /** How many digests are remembered. */
  get size(): number {
    return this.records.size;
  }

  /** The remembered digest of `absolutePath` if `entry` (its current lstat) still matches it. */
  lookup(absolutePath: string, entry: ContextEntry): string | undefined {
    const record = this.records.get(absolutePath);
    if (!record) return undefined;
    const [size, mtimeNs, ino, dev, hashedAtNs, digest] = record;
    if (size !== entry.size || mtimeNs !== String(entry.mtimeNs) || ino !== String(entry.ino) || dev !== String(entry.dev)) return undefined;
    if (entry.mtimeNs + RACY_WINDOW_NS >= BigInt(hashedAtNs)) return undefined;
    // Most recently used last, so that trimming drops the stalest.
    this.records.delete(absolutePath);
    this.records.set(absolutePath, record);
    return digest;
  }

  /** Remembers `digest` for the file `entry` describes, hashed at `hashedAtNs` (wall clock, ns). */
  store(absolutePath: string, entry: ContextEntry, digest: string, hashedAtNs: bigint): void {
    this.records.delete(absolutePath);
    this.records.set(absolutePath, [entry.size, String(entry.mtimeNs), String(entry.ino), String(entry.dev), String(hashedAtNs), digest]);
    this.dirty = true;
  }

  /** Writes the memo if anything was stored since it was loaded; throws DigestCacheError. */
  async save(): Promise<void> {
    if (!this.dirty) return;
    const keys = [...this.records.keys()];
    for (const key of keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES))) this.records.delete(key);
    const entries: { [key: string]: Record } = {};
    for (const [key, record] of this.records) entries[key] = record;
    const temp = `${this.file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await mkdir(path.dirname(this.file), { recursive: true });
      await writeFile(temp, JSON.stringify({ version: VERSION, entries }));
      await rename(temp, this.file);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw new DigestCacheError(this.file, error);
    }
    this.dirty = false;
  }
}

/** The wall clock in nanoseconds (what file mtimes are compared with). */
export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}
