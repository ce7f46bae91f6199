import { appendFileSync, writeFileSync } from 'node:fs';
import { readdir, readFile, stat, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { isDigest } from '../image/index.js';
import { StoreError, StoreErrorCode } from './errors.js';
import { abandoned, hostTag, ownedName, ownerOfName } from './owner.js';

/** What a lease holds: blobs (walked like roots: a leased manifest keeps its config and layers) and snapshots. */
export interface LeaseContent {
  blobs: string[];
  snapshots: string[];
}

/**
 * A lease: a file in `leases/` listing the blobs and snapshots a running process uses (e.g. a build between
 * writing its first layer and recording the image as a root). Prune treats the entries of live leases as roots.
 * A lease is live while its process runs and it is refreshed (its holder touches it every quarter of the stale
 * time); entries are added under the store lock, before the blob or snapshot they name appears, so that prune
 * never sees one without the other.
 */
export class Lease {
  readonly file: string;
  readonly id: string;
  private refresher: NodeJS.Timeout | undefined;
  private released = false;

  private constructor(file: string, staleMs: number) {
    this.file = file;
    this.id = path.basename(file, '.lease');
    this.refresher = setInterval(() => void utimes(this.file, new Date(), new Date()).catch(() => undefined), staleMs / 4);
    this.refresher.unref();
  }

  /** Creates a lease file in `dir`. */
  static async create(dir: string, staleMs: number): Promise<Lease> {
    const file = path.join(dir, ownedName('.lease'));
    writeFileSync(file, `# build-image lease of host ${hostTag} pid ${process.pid}\n`, { flag: 'wx', mode: 0o644 });
    return new Lease(file, staleMs);
  }

  get isReleased(): boolean {
    return this.released;
  }

  /** Records blobs and snapshots (call under the store lock, before they appear). */
  async add(content: Partial<LeaseContent>): Promise<void> {
    if (this.released) throw new StoreError(StoreErrorCode.LeaseReleased, `lease ${this.id} was released`);
    const lines = [...(content.blobs ?? []).map((digest) => `blob ${digest}`), ...(content.snapshots ?? []).map((chainId) => `snapshot ${chainId}`)];
    if (lines.length > 0) appendFileSync(this.file, `${lines.join('\n')}\n`);
  }

  /** Ends the lease: what only it kept may now be pruned. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.refresher);
    this.refresher = undefined;
    await unlink(this.file).catch(() => undefined);
  }
}

/** A lease file found in the store, with its entries and whether it is still live. */
export interface LeaseRecord extends LeaseContent {
  file: string;
  live: boolean;
}

/** Reads every lease in `dir`. */
export async function readLeases(dir: string, staleMs: number): Promise<LeaseRecord[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const records: LeaseRecord[] = [];
  for (const name of names) {
    if (!name.endsWith('.lease')) continue;
    const file = path.join(dir, name);
    const [text, info] = await Promise.all([readFile(file, 'utf8').catch(() => undefined), stat(file).catch(() => undefined)]);
    if (text === undefined || info === undefined) continue;
    const record: LeaseRecord = { file, live: !abandoned(ownerOfName(name), info.mtimeMs, staleMs), blobs: [], snapshots: [] };
    for (const line of text.split('\n')) {
      const [kind, value] = line.split(' ');
      if (!isDigest(value)) continue;
      if (kind === 'blob') record.blobs.push(value);
      else if (kind === 'snapshot') record.snapshots.push(value);
    }
    records.push(record);
  }
  return records;
}
