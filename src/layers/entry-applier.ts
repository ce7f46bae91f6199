/**
 * Applies tar entries, one after the other, onto a root directory: creates files, directories, links and
 * special files with their metadata, honours whiteouts and opaque markers, and never writes outside the root.
 * Entry names with `..` or a leading `/` and hardlinks whose target would leave the root are refused;
 * symlinks met on the way are resolved inside the root (securejoin semantics).
 */
import type { Stats } from 'node:fs';
import { closeSync, constants, fchmodSync, fchownSync, futimesSync, openSync, readFileSync, writeSync } from 'node:fs';
import { chmod, chown, lchown, link, lstat, lutimes, mkdir, open, readdir, rm, symlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { HardlinkTargetError, LayerApplyError, LayerError, LayerPathConflictError, LinkEscapeError, UnsafeLayerPathError } from './errors.js';
import { OPAQUE_WHITEOUT, WHITEOUT_META_PREFIX, WHITEOUT_PREFIX, baseNameOf, cleanArchivePath, parentOf } from './layer-path.js';
import { lstatOrUndefined, resolveInRoot } from './resolve-in-root.js';
import { makeDevice, makeFifo } from './special-files.js';
import type { TarEntryHeader } from './tar-format.js';
import type { TarEntry } from './tar-reader.js';
import { filterXattrs, isPortableXattr, isUnprivilegedXattr, writeXattrs } from './xattrs.js';

export interface EntryApplierOptions {
  /** Give entries the layer's uid/gid. Default: when running as root. */
  readonly preserveOwnership?: boolean;
  /** Set extended attributes (one setfattr run per layer). Default true; without root only `user.*` ones. */
  readonly xattrs?: boolean;
}

export interface EntryStats {
  files: number;
  directories: number;
  symlinks: number;
  hardlinks: number;
  devices: number;
  fifos: number;
  whiteouts: number;
  opaqueDirectories: number;
  /** Entries left out: device nodes without root, the root directory's own entry, AUFS metadata. */
  skipped: number;
  /** Extended attributes left out because they need root or describe the host (security.selinux). */
  xattrsSkipped: number;
}

export class EntryApplier {
  readonly stats: EntryStats = {
    files: 0,
    directories: 0,
    symlinks: 0,
    hardlinks: 0,
    devices: 0,
    fifos: 0,
    whiteouts: 0,
    opaqueDirectories: 0,
    skipped: 0,
    xattrsSkipped: 0,
  };
  private readonly root: string;
  private readonly preserveOwnership: boolean;
  private readonly applyXattrs: boolean;
  private readonly isRoot: boolean;
  /** Root of a user namespace other than the initial one (a rootless build) owns files but cannot make devices. */
  private readonly mayMakeDevices: boolean;
  /** Parent directories already resolved and known to exist, by layer-relative path. */
  private readonly parents = new Map<string, string>();
  /** Paths this layer created; an opaque directory keeps them. */
  private readonly unpacked = new Set<string>();
  /** Directory modes and times are set last: adding children would change them. */
  private readonly directoryMetadata = new Map<string, { mode: number; mtime: number }>();
  private readonly pendingXattrs = new Map<string, Map<string, Buffer>>();

  constructor(root: string, options: EntryApplierOptions) {
    this.root = root;
    this.isRoot = process.getuid?.() === 0;
    this.mayMakeDevices = this.isRoot && inInitialUserNamespace();
    this.preserveOwnership = options.preserveOwnership ?? this.isRoot;
    this.applyXattrs = options.xattrs ?? true;
  }

  async apply(entry: TarEntry): Promise<void> {
    try {
      await this.applyEntry(entry);
    } catch (error) {
      throw asLayerError(entry.header.name, error);
    }
  }

  private async applyEntry({ header, body }: TarEntry): Promise<void> {
    const name = cleanArchivePath(header.name);
    if (name === undefined) throw new UnsafeLayerPathError(header.name, "the name is absolute, has a '..' component or contains NUL");
    const tooLong = nameLengthProblem(name);
    if (tooLong !== undefined) throw new UnsafeLayerPathError(header.name, tooLong);
    if (name === '') {
      this.stats.skipped++;
      return;
    }
    const base = baseNameOf(name);
    if (base.startsWith(WHITEOUT_PREFIX)) {
      if (base === OPAQUE_WHITEOUT) await this.opaque(parentOf(name));
      else if (base.startsWith(WHITEOUT_META_PREFIX)) this.stats.skipped++;
      else await this.whiteout(name, base.slice(WHITEOUT_PREFIX.length));
      return;
    }
    if ((header.type === 'character-device' || header.type === 'block-device') && !this.mayMakeDevices) {
      this.stats.skipped++;
      return;
    }
    if (header.type === 'symlink' && (header.linkTarget === '' || header.linkTarget.includes('\0'))) {
      throw new UnsafeLayerPathError(header.name, 'the symlink target is empty or contains NUL');
    }

    const target = path.join(await this.parentDirectory(name), base);
    const hardlinkSource = header.type === 'hardlink' ? await this.hardlinkSource(name, header.linkTarget) : undefined;
    if (hardlinkSource === target) return;

    const existing = await lstatOrUndefined(target);
    if (existing && !(header.type === 'directory' && existing.isDirectory())) await this.remove(target);

    switch (header.type) {
      case 'directory':
        if (!existing?.isDirectory()) await mkdir(target, { mode: 0o700 });
        await this.own(target, header, false);
        this.directoryMetadata.set(target, { mode: header.mode, mtime: header.mtime });
        this.stats.directories++;
        break;
      case 'file':
        await this.writeFile(target, header, body);
        this.stats.files++;
        break;
      case 'symlink':
        await symlink(header.linkTarget, target);
        await this.own(target, header, true);
        await lutimes(target, header.mtime, header.mtime);
        this.stats.symlinks++;
        break;
      case 'hardlink':
        await link(hardlinkSource!, target);
        this.stats.hardlinks++;
        break;
      case 'character-device':
      case 'block-device':
        await makeDevice(target, header.type, header.devMajor, header.devMinor);
        await this.finishSpecialFile(target, header);
        this.stats.devices++;
        break;
      case 'fifo':
        await makeFifo(target);
        await this.finishSpecialFile(target, header);
        this.stats.fifos++;
        break;
    }
    this.markUnpacked(target);
    if (header.type !== 'hardlink') this.queueXattrs(target, header);
  }

  /** Sets the deferred extended attributes and directory modes and times. */
  async finish(): Promise<void> {
    if (this.pendingXattrs.size > 0) await writeXattrs(this.pendingXattrs);
    for (const [directory, { mode, mtime }] of this.directoryMetadata) {
      try {
        const handle = await open(directory, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
        try {
          await handle.chmod(mode);
          await handle.utimes(mtime, mtime);
        } finally {
          await handle.close();
        }
      } catch (error) {
        throw asLayerError(path.relative(this.root, directory), error);
      }
    }
  }

  private async writeFile(target: string, header: TarEntryHeader, body: AsyncIterable<Buffer>): Promise<void> {
    if (header.size <= smallFileSize) return this.writeSmallFile(target, header, body);
    const handle = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      for await (const chunk of body) {
        for (let offset = 0; offset < chunk.length; ) offset += (await handle.write(chunk, offset)).bytesWritten;
      }
      if (this.preserveOwnership) await unlessUnmapped(handle.chown(header.uid, header.gid));
      await handle.chmod(header.mode);
      await handle.utimes(header.mtime, header.mtime);
    } finally {
      await handle.close();
    }
  }

  /**
   * A small file with synchronous calls once its content is read: each asynchronous call is a thread-pool round trip
   * that costs far more than the work (about 100 µs against 10), and layers are mostly small files.
   */
  private async writeSmallFile(target: string, header: TarEntryHeader, body: AsyncIterable<Buffer>): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk);
    const content = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    const fd = openSync(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      for (let offset = 0; offset < content.length; ) offset += writeSync(fd, content, offset);
      if (this.preserveOwnership) ignoreUnmapped(() => fchownSync(fd, header.uid, header.gid));
      fchmodSync(fd, header.mode);
      futimesSync(fd, header.mtime, header.mtime);
    } finally {
      closeSync(fd);
    }
  }

  private async finishSpecialFile(target: string, header: TarEntryHeader): Promise<void> {
    // Path-based on purpose: opening a device node can have side effects. The node was just made by us.
    await this.own(target, header, true);
    await chmod(target, header.mode);
    await utimes(target, header.mtime, header.mtime);
  }

  private async own(target: string, header: TarEntryHeader, noFollow: boolean): Promise<void> {
    if (!this.preserveOwnership) return;
    await unlessUnmapped((noFollow ? lchown : chown)(target, header.uid, header.gid));
  }

  /** The real directory that will hold `name`, created (0755) where missing. */
  private async parentDirectory(name: string): Promise<string> {
    const parent = parentOf(name);
    const cached = this.parents.get(parent);
    if (cached !== undefined) return cached;
    const resolved = parent === '' ? this.root : await resolveInRoot(this.root, parent);
    const stat = await lstatOrUndefined(resolved);
    if (stat === undefined) {
      try {
        await mkdir(resolved, { recursive: true, mode: 0o755 });
      } catch (error) {
        throw new LayerPathConflictError(name, `cannot create its parent directory (${(error as Error).message})`, { cause: error });
      }
      this.markUnpacked(resolved);
    } else if (!stat.isDirectory()) {
      throw new LayerPathConflictError(name, 'its parent is not a directory');
    }
    this.parents.set(parent, resolved);
    return resolved;
  }

  private async hardlinkSource(name: string, linkTarget: string): Promise<string> {
    const cleanTarget = cleanArchivePath(linkTarget);
    if (cleanTarget === undefined) throw new LinkEscapeError(name, linkTarget);
    if (cleanTarget === '') throw new HardlinkTargetError(name, linkTarget, 'the target is the root directory');
    const parent = parentOf(cleanTarget);
    const source = path.join(parent === '' ? this.root : await resolveInRoot(this.root, parent), baseNameOf(cleanTarget));
    const stat = await lstatOrUndefined(source);
    if (stat === undefined) throw new HardlinkTargetError(name, linkTarget, 'the target does not exist');
    if (stat.isDirectory()) throw new HardlinkTargetError(name, linkTarget, 'the target is a directory');
    return source;
  }

  private async whiteout(name: string, hiddenName: string): Promise<void> {
    if (hiddenName === '' || hiddenName === '.' || hiddenName === '..') throw new UnsafeLayerPathError(name, 'the whiteout names no file');
    const parent = parentOf(name);
    const directory = parent === '' ? this.root : await resolveInRoot(this.root, parent);
    const hidden = path.join(directory, hiddenName);
    if (await lstatOrUndefined(hidden)) await this.remove(hidden);
    this.stats.whiteouts++;
  }

  private async opaque(directoryName: string): Promise<void> {
    const directory = directoryName === '' ? this.root : await resolveInRoot(this.root, directoryName);
    if ((await lstatOrUndefined(directory))?.isDirectory()) await this.clearLowerContent(directory);
    this.stats.opaqueDirectories++;
  }

  /** Removes everything in `directory` that this layer did not create. */
  private async clearLowerContent(directory: string): Promise<void> {
    for (const name of await readdir(directory)) {
      const child = path.join(directory, name);
      if (!this.unpacked.has(child)) await this.remove(child);
      else if ((await lstat(child)).isDirectory()) await this.clearLowerContent(child);
    }
  }

  private async remove(target: string): Promise<void> {
    await rm(target, { recursive: true, force: true });
    this.parents.clear();
    const prefix = target + path.sep;
    for (const pending of [this.pendingXattrs, this.directoryMetadata] as Map<string, unknown>[]) {
      for (const key of pending.keys()) if (key === target || key.startsWith(prefix)) pending.delete(key);
    }
  }

  private markUnpacked(target: string): void {
    for (let current = target; current !== this.root && !this.unpacked.has(current); current = path.dirname(current)) {
      this.unpacked.add(current);
    }
  }

  private queueXattrs(target: string, header: TarEntryHeader): void {
    if (!this.applyXattrs || header.xattrs.size === 0) return;
    const wanted = filterXattrs(header.xattrs, (name) => isPortableXattr(name) && (this.isRoot || isUnprivilegedXattr(name)));
    this.stats.xattrsSkipped += header.xattrs.size - (wanted?.size ?? 0);
    if (wanted) this.pendingXattrs.set(target, wanted);
    else this.pendingXattrs.delete(target);
  }
}

/** Files up to this size are read whole and written with synchronous calls (see writeSmallFile). */
const smallFileSize = 256 * 1024;

/** Linux's limits: a name longer fails every call with ENAMETOOLONG, so it is refused up front. */
const NAME_MAX = 255;
const PATH_MAX = 4096;

function nameLengthProblem(name: string): string | undefined {
  if (Buffer.byteLength(name) >= PATH_MAX) return `the name is too long (${Buffer.byteLength(name)} bytes, at most ${PATH_MAX - 1})`;
  for (const component of name.split('/')) {
    if (Buffer.byteLength(component) > NAME_MAX) return `a component of the name is too long (${Buffer.byteLength(component)} bytes, at most ${NAME_MAX})`;
  }
  return undefined;
}

/** What an entry's file-system failure becomes: a LayerError, so callers can tell a bad layer from a bug. */
function asLayerError(name: string, error: unknown): unknown {
  if (error instanceof LayerError) return error;
  return typeof (error as NodeJS.ErrnoException | undefined)?.code === 'string' && (error as NodeJS.ErrnoException).syscall !== undefined
    ? new LayerApplyError(name, error)
    : error;
}

/**
 * chown fails with EINVAL for an id the process's user namespace does not map (a rootless build whose user has
 * no subordinate ids): the entry then keeps the namespace's root as its owner, as buildah's ignore_chown_errors.
 */
function isUnmappedId(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'EINVAL';
}

function ignoreUnmapped(chown: () => void): void {
  try {
    chown();
  } catch (error) {
    if (!isUnmappedId(error)) throw error;
  }
}

async function unlessUnmapped(chowning: Promise<void>): Promise<void> {
  try {
    await chowning;
  } catch (error) {
    if (!isUnmappedId(error)) throw error;
  }
}

let initialUserNamespace: boolean | undefined;

/** Whether this process runs in the host's user namespace (read once: it does not change while it runs). */
function inInitialUserNamespace(): boolean {
  if (initialUserNamespace === undefined) {
    try {
      initialUserNamespace = /^\s*0\s+0\s+4294967295\s*$/.test(readFileSync('/proc/self/uid_map', 'utf8'));
    } catch {
      initialUserNamespace = true;
    }
  }
  return initialUserNamespace;
}
