import { mkdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import {
  copyImage,
  type BlobContent,
  type BlobSink,
  type BlobSource,
  type CopyResult,
  type Descriptor,
  type ExpectedContent,
  type WrittenContent,
} from '../image/index.js';
import { StoreError, StoreErrorCode } from './errors.js';
import { Lease } from './lease.js';
import { ownedName } from './owner.js';
import { recoverDeadOwners, type RecoveryReport } from './recover.js';
import { removeTree } from './remove-tree.js';
import { pruneStore, type PruneOptions, type PruneReport } from './prune.js';
import { RootStore, type Root } from './roots.js';
import { blobSize, createStoreBlobWriter, openStoreBlob, putStoreBlob, readStoreBlob, type BlobWriter, type StoreContext } from './store-blobs.js';
import { defaultStoreRoot, StoreLayout, storeVersion } from './store-layout.js';
import { StoreLock } from './store-lock.js';
import { ensureStoreSnapshot, snapshotExists, type SnapshotResult, type UnpackSnapshot } from './store-snapshots.js';
import { verifyStore, type VerifyOptions, type VerifyReport } from './verify.js';

export interface ContentStoreOptions {
  /** The store directory (default: defaultStoreRoot(): `$XDG_CACHE_HOME/build-image` or `~/.cache/build-image`). */
  root?: string;
  /** fsync blobs before they are renamed into place (default true). */
  durable?: boolean;
  /** How long to wait for the store lock (default 15 minutes). */
  lockTimeoutMs?: number;
  /** A lock or lease not refreshed for this long is stale (default 2 minutes; holders refresh every quarter). */
  staleMs?: number;
  /** Temp entries of processes that cannot be checked (another host) are leftovers after this long (default 24 h). */
  tempStaleMs?: number;
}

interface Shared {
  context: StoreContext;
  recovered: RecoveryReport;
  roots: RootStore;
  staleMs: number;
  tempStaleMs: number;
}

/**
 * The content store on disk: verified blobs by digest, unpacked snapshots by chain ID, roots (images and cache
 * entries kept), leases (what running processes use), prune and verify. Safe for several processes at once: every
 * file appears by an atomic rename after it is complete; commits, root updates and prune take the store lock.
 *
 * Writes made through a store are recorded in a lease so that a concurrent prune does not remove them before they
 * are referenced by a root: by default the store's own lease (created on first write, released by `close()`), or
 * one given with `withLease()`.
 *
 * Small metadata (the version file, roots, lock and lease files, stats of blobs, whole JSON blobs) is read and
 * written with synchronous calls: each takes less time than the round trip through the thread pool that an
 * asynchronous call waits for, and a fully cached build makes dozens of them one after another. Layers and
 * snapshots stay asynchronous.
 */
export class ContentStore implements BlobSource, BlobSink {
  readonly root: string;
  private readonly shared: Shared;
  private readonly lease: Lease | undefined;
  private ownLease: Promise<Lease> | undefined;
  private readonly tempDirs: string[] = [];

  private constructor(shared: Shared, lease: Lease | undefined) {
    this.shared = shared;
    this.root = shared.context.layout.root;
    this.lease = lease;
  }

  /**
   * Opens (creating when missing) a store, first cleaning up after processes of this host that died using it
   * (see recoverDeadOwners): their temp entries, leases, leftover mounts and orphaned helper processes.
   */
  static async open(options: ContentStoreOptions = {}): Promise<ContentStore> {
    const layout = new StoreLayout(options.root ?? defaultStoreRoot());
    for (const dir of [layout.blobs, layout.snapshots, layout.refs, layout.leases, layout.tmp]) mkdirSync(dir, { recursive: true });
    const version = readStoreVersion(layout);
    if (version === undefined) {
      // Written whole and renamed: a process opening the store at the same time never reads it half-written.
      const temp = path.join(layout.tmp, ownedName('.version'));
      await writeFile(temp, `${storeVersion}\n`);
      await rename(temp, layout.version);
    } else if (version.trim() !== storeVersion) {
      throw new StoreError(StoreErrorCode.UnsupportedVersion, `${layout.root} is a build-image store of version ${version.trim()}; this build-image reads version ${storeVersion}`);
    }
    // Best effort: what cannot be cleaned now is reported by verify and retried by the next open or prune.
    const recovered = await recoverDeadOwners(layout).catch((): RecoveryReport => ({ removed: [], unmounted: [], killed: [] }));
    const staleMs = options.staleMs ?? 2 * 60_000;
    const context: StoreContext = { layout, lock: new StoreLock(layout.lock, { timeoutMs: options.lockTimeoutMs, staleMs }), durable: options.durable ?? true };
    return new ContentStore({ context, recovered, roots: new RootStore(layout.refs, layout.tmp), staleMs, tempStaleMs: options.tempStaleMs ?? 24 * 3_600_000 }, undefined);
  }

  /** What opening the store cleaned up after processes that died (see recoverDeadOwners). */
  get recovered(): RecoveryReport {
    return this.shared.recovered;
  }

  /** A new lease: blobs and snapshots written or used through `withLease(lease)` stay until it is released. */
  async createLease(): Promise<Lease> {
    return Lease.create(this.shared.context.layout.leases, this.shared.staleMs);
  }

  /** The same store, recording what is written or used in `lease`. */
  withLease(lease: Lease): ContentStore {
    return new ContentStore(this.shared, lease);
  }

  private async activeLease(): Promise<Lease> {
    if (this.lease) return this.lease;
    this.ownLease ??= this.createLease();
    return this.ownLease;
  }

  /**
   * A new, empty directory in the store's tmp/, owner-stamped so that it is cleaned up if this process dies, and
   * removed by close(): for work files (e.g. an executor's run directories) that must not outlive the process.
   */
  async makeTempDir(label: string): Promise<string> {
    const dir = path.join(this.shared.context.layout.tmp, ownedName(`.${label}`));
    await mkdir(dir, { recursive: true });
    this.tempDirs.push(dir);
    return dir;
  }

  /** Releases the store's own lease (not one given with withLease) and removes the temp dirs it made. */
  async close(): Promise<void> {
    if (this.ownLease) await (await this.ownLease).release();
    this.ownLease = undefined;
    for (const dir of this.tempDirs.splice(0)) await removeTree(dir).catch(() => undefined);
  }

  // Blobs

  /** The file a blob is (or would be) stored in. */
  blobPath(digest: string): string {
    return this.shared.context.layout.blob(digest);
  }

  async hasBlob(digest: string): Promise<boolean> {
    return (await blobSize(this.shared.context, digest)) !== undefined;
  }

  /** A blob's size, or undefined when missing. */
  async blobSize(digest: string): Promise<number | undefined> {
    return blobSize(this.shared.context, digest);
  }

  /** A blob's bytes as stored (verified when written; `verify()` checks them again). */
  async openBlob(descriptor: Descriptor | string): Promise<Readable> {
    return openStoreBlob(this.shared.context, typeof descriptor === 'string' ? descriptor : descriptor.digest);
  }

  /** A whole small blob as stored, read without a stream (BlobSource; see readBlob of src/image). */
  async readSmallBlob(descriptor: Descriptor, maxSize: number, what: string): Promise<Buffer> {
    return readStoreBlob(this.shared.context, descriptor.digest, maxSize, what);
  }

  /** A whole blob in memory (for JSON documents; `maxSize` guards against reading a layer). */
  async readBlob(digest: string, maxSize = 16 * 1024 * 1024): Promise<Buffer> {
    return readStoreBlob(this.shared.context, digest, maxSize, `blob ${digest}`);
  }

  /** Stores content, verified against `expected` when given; returns its digest and size. */
  async putBlob(content: BlobContent, expected?: ExpectedContent): Promise<WrittenContent> {
    return putStoreBlob(this.shared.context, await this.activeLease(), content, expected);
  }

  /** A writable to push a blob into; `commit()` verifies and stores it. */
  async createBlobWriter(expected?: ExpectedContent): Promise<BlobWriter> {
    return createStoreBlobWriter(this.shared.context, await this.activeLease(), expected);
  }

  /** Copies an image graph (index or manifest with everything it refers to) into the store. */
  async importImage(source: BlobSource, descriptor: Descriptor): Promise<CopyResult> {
    return copyImage(source, this, descriptor);
  }

  // Snapshots

  /** The directory of a snapshot (whether or not it exists). */
  snapshotPath(chainId: string): string {
    return this.shared.context.layout.snapshot(chainId);
  }

  async hasSnapshot(chainId: string): Promise<boolean> {
    return snapshotExists(this.shared.context, chainId);
  }

  /** The snapshot of a chain ID, unpacked by `unpack` into a fresh directory when missing (see ensureStoreSnapshot). */
  async ensureSnapshot(chainId: string, unpack: UnpackSnapshot): Promise<SnapshotResult> {
    return ensureStoreSnapshot(this.shared.context, await this.activeLease(), chainId, unpack);
  }

  // Roots

  /** Keeps an image or cache entry: `descriptor` (and all it reaches) survives prune. Its blob must be stored. */
  async setRoot(kind: string, name: string, descriptor: Descriptor): Promise<Root> {
    return this.shared.context.lock.withLock(async () => {
      if (!(await this.hasBlob(descriptor.digest))) {
        throw new StoreError(StoreErrorCode.RootTargetMissing, `cannot keep ${kind}/${name}: blob ${descriptor.digest} is not in the store`);
      }
      return this.shared.roots.set(kind, name, descriptor);
    });
  }

  async getRoot(kind: string, name: string): Promise<Root | undefined> {
    return this.shared.roots.get(kind, name);
  }

  async listRoots(kind?: string): Promise<Root[]> {
    return (await this.shared.roots.list(kind)).roots;
  }

  /** Stops keeping a root (what only it kept goes at the next prune). Returns whether it existed. */
  async deleteRoot(kind: string, name: string): Promise<boolean> {
    return this.shared.context.lock.withLock(() => this.shared.roots.delete(kind, name));
  }

  // Maintenance

  /** Removes what no root or live lease reaches, and leftovers of processes that are gone. */
  async prune(options: PruneOptions = {}): Promise<PruneReport> {
    return pruneStore(this.shared.context, this.shared.roots, { leaseStaleMs: this.shared.staleMs, tempStaleMs: this.shared.tempStaleMs }, options);
  }

  /** Checks every blob against its digest and reports corrupt, missing, stray and leftover entries. */
  async verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    return verifyStore(this.shared.context, this.shared.roots, { leaseStaleMs: this.shared.staleMs, tempStaleMs: this.shared.tempStaleMs }, options);
  }
}

/** The store's version file, or undefined when it cannot be read (a new store). */
function readStoreVersion(layout: StoreLayout): string | undefined {
  try {
    return readFileSync(layout.version, 'utf8');
  } catch {
    return undefined;
  }
}
