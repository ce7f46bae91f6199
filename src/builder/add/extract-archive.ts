/**
 * ADD of a local archive: its entries become layer changes below the destination directory, with their own
 * modes, owners (unless --chown), times, symlinks and hardlinks, merged over what the destination holds.
 * Follows BuildKit's extraction (solver/llbsolver/file/unpack_root.go): symlinks on an entry's path are followed
 * inside the destination, and an entry whose path or link would leave it is refused. No file is written outside
 * the step's staging directory: contents wait there until the layer is written.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { cleanArchivePath, isPortableXattr, WHITEOUT_PREFIX, type LayerAdd, type TarEntry, type Xattrs } from '../../layers/index.js';
import { StepErrorCode, StepProblem } from '../step-errors.js';
import type { Owner } from '../user-database.js';
import { archiveEntries } from './archive-entries.js';
import { defaultArchiveLimits, type ArchiveLimits } from './archive-limits.js';
import { UnsafeArchiveEntryError } from './errors.js';
import { parentPath, type TreeView } from './tree-view.js';

/** File contents up to this size are kept in memory, as long as all of them together stay under the budget. */
const SMALL_FILE = 64 * 1024;
const MEMORY_BUDGET = 32 * 1024 * 1024;

/** Where extracted file contents are kept until the layer is written: small ones in memory, others on disk. */
export class StagingArea {
  private files = 0;
  private memoryUsed = 0;
  private links = 0;

  /**
   * `directory` makes (once) the directory that holds contents too large for memory; `limits` bound each archive
   * unpacked into this area.
   */
  constructor(
    private readonly directory: () => Promise<string>,
    readonly limits: ArchiveLimits = defaultArchiveLimits,
  ) {}

  async keep(size: number, body: AsyncIterable<Buffer>): Promise<string | Buffer> {
    if (size <= SMALL_FILE && this.memoryUsed + size <= MEMORY_BUDGET) {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk);
      const content = Buffer.concat(chunks);
      this.memoryUsed += content.length;
      return content;
    }
    const file = path.join(await this.directory(), `entry-${++this.files}`);
    const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      for await (const chunk of body) {
        for (let offset = 0; offset < chunk.length; ) offset += (await handle.write(chunk, offset)).bytesWritten;
      }
    } finally {
      await handle.close();
    }
    return file;
  }

  /** A hardlink key no COPY source can have (theirs are `dev:ino`). */
  nextLinkKey(): string {
    return `archive-link:${++this.links}`;
  }
}

export interface ExtractTarget {
  /** The changes of the step so far; the archive's are added to it. */
  changes: Map<string, LayerAdd>;
  view: TreeView;
  staging: StagingArea;
  /** The directory to unpack into, a layer path already resolved through the filesystem's symlinks. */
  directory: string;
  /** `--chown`: replaces every entry's owner. */
  owner: Owner | undefined;
  /** Seconds, for directories the step creates. */
  now: number;
}

/** Unpacks the archive `file` (`label` names it in errors) into `target.directory`. */
export async function extractArchive(file: string, label: string, target: ExtractTarget): Promise<void> {
  await ensureDirectory(target, target.directory, target.owner);
  for await (const entry of archiveEntries(file, label, target.staging.limits)) await extractEntry(entry, label, target);
}

async function extractEntry({ header, body }: TarEntry, label: string, target: ExtractTarget): Promise<void> {
  const refuse = (reason: string): never => {
    throw new UnsafeArchiveEntryError(label, header.name, reason);
  };
  const name = cleanArchivePath(header.name);
  if (name === undefined) return refuse(unsafeNameReason(header.name));
  if (name === '') return;
  if (name.split('/').some((component) => component.startsWith(WHITEOUT_PREFIX))) {
    return refuse(`names starting with '${WHITEOUT_PREFIX}' cannot be stored in an image layer`);
  }

  const { changes, view, staging } = target;
  const resolved = await view.resolve(target.directory, name, { followLeaf: header.type === 'directory', escape: 'refuse' });
  if ('refused' in resolved) return refuse(resolved.refused);
  const at = resolved.path;
  await ensureParents(target, at, label, header.name);

  const existing = await view.node(at);
  if (existing && !(existing.type === 'directory' && header.type === 'directory')) removeBelow(changes, at);

  const ids = target.owner ?? { uid: header.uid, gid: header.gid };
  const xattrs = portableXattrs(header.xattrs);
  const common = { kind: 'add' as const, path: at, mode: header.mode & 0o7777, uid: ids.uid, gid: ids.gid, mtime: entryTime(header.mtime), ...(xattrs ? { xattrs } : {}) };
  switch (header.type) {
    case 'directory':
      changes.set(at, { ...common, type: 'directory' });
      break;
    case 'file':
      changes.set(at, { ...common, type: 'file', source: await staging.keep(header.size, body) });
      break;
    case 'symlink':
      if (header.linkTarget === '' || header.linkTarget.includes('\0')) return refuse('the symlink target is empty');
      changes.set(at, { ...common, type: 'symlink', linkTarget: header.linkTarget });
      break;
    case 'hardlink': {
      const linked = await hardlinkTarget(target, header.linkTarget);
      if ('refused' in linked) return refuse(linked.refused);
      if (linked.path === at) break;
      const source = changes.get(linked.path)!;
      const hardlinkKey = source.hardlinkKey ?? staging.nextLinkKey();
      changes.set(linked.path, { ...source, hardlinkKey });
      changes.set(at, { ...source, path: at, hardlinkKey });
      break;
    }
    case 'fifo':
      changes.set(at, { ...common, type: 'fifo' });
      break;
    case 'character-device':
    case 'block-device':
      changes.set(at, { ...common, type: header.type, devMajor: header.devMajor, devMinor: header.devMinor });
      break;
  }
}

/** The file an archive hardlink points at: an earlier entry of the step, found inside the destination. */
async function hardlinkTarget(target: ExtractTarget, linkTarget: string): Promise<{ path: string } | { refused: string }> {
  const name = cleanArchivePath(linkTarget);
  if (name === undefined) return { refused: `the hardlink target '${linkTarget}' is outside the destination` };
  if (name === '') return { refused: 'the hardlink targets the destination directory itself' };
  const resolved = await target.view.resolve(target.directory, name, { followLeaf: false, escape: 'refuse' });
  if ('refused' in resolved) return resolved;
  const source = target.changes.get(resolved.path);
  if (!source || source.type === 'directory') return { refused: `the hardlink target '${linkTarget}' is not a file unpacked before it` };
  return resolved;
}

/**
 * The directories above `at`, below the destination: existing ones stay as they are, missing ones are created
 * 0755 and owned by root (BuildKit's implied parents), a non-directory on the way is refused.
 */
async function ensureParents(target: ExtractTarget, at: string, label: string, entryName: string): Promise<void> {
  const missing: string[] = [];
  for (let parent = parentPath(at); parent !== target.directory && parent !== ''; parent = parentPath(parent)) missing.push(parent);
  for (const parent of missing.reverse()) {
    const node = await target.view.node(parent);
    if (node && node.type !== 'directory') throw new UnsafeArchiveEntryError(label, entryName, `its parent '/${parent}' is not a directory`);
    if (!target.changes.has(parent)) target.changes.set(parent, directoryChange(parent, node, undefined, target.now));
  }
}

/** The destination directory: kept when it exists, created (with the `--chown` owner) when not. */
async function ensureDirectory(target: ExtractTarget, directory: string, owner: Owner | undefined): Promise<void> {
  if (directory === '' || target.changes.has(directory)) return;
  const node = await target.view.node(directory);
  if (node && node.type !== 'directory') {
    throw new StepProblem(StepErrorCode.CopyDestination, `cannot unpack into '/${directory}': it exists and is not a directory`);
  }
  target.changes.set(directory, directoryChange(directory, node, owner, target.now));
}

function directoryChange(at: string, node: { stats?: { mode: number; uid: number; gid: number; mtimeMs: number } } | undefined, owner: Owner | undefined, now: number): LayerAdd {
  const stats = node?.stats;
  if (stats) return { kind: 'add', type: 'directory', path: at, mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid, mtime: Math.floor(stats.mtimeMs / 1000) };
  const ids = owner ?? { uid: 0, gid: 0 };
  return { kind: 'add', type: 'directory', path: at, mode: 0o755, uid: ids.uid, gid: ids.gid, mtime: now };
}

function removeBelow(changes: Map<string, LayerAdd>, at: string): void {
  const prefix = `${at}/`;
  for (const key of [...changes.keys()]) if (key.startsWith(prefix)) changes.delete(key);
}

function portableXattrs(xattrs: ReadonlyMap<string, Buffer>): Xattrs | undefined {
  const kept = new Map([...xattrs].filter(([key]) => isPortableXattr(key)));
  return kept.size > 0 ? kept : undefined;
}

function unsafeNameReason(name: string): string {
  if (name.includes('\0')) return 'the name contains NUL';
  return name.startsWith('/') ? 'the name is absolute' : "the name has a '..' component";
}

/** Whole seconds; times before the epoch become the epoch, as BuildKit bounds them. */
function entryTime(mtime: number): number {
  return mtime < 0 ? 0 : Math.floor(mtime);
}

