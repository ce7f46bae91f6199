/**
 * A stat walk of a directory tree: every entry below the root with the metadata a layer records, in layer
 * order, plus extended attributes from one getfattr run when asked.
 */
import type { BigIntStats } from 'node:fs';
import { lstat, readdir, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { LayerAdd, LayerEntryType } from './layer-change.js';
import { compareCodePoints, joinLayerPath } from './layer-path.js';
import { readTreeXattrs } from './xattrs.js';

export interface TreeEntry {
  /** Layer-relative path. */
  readonly path: string;
  readonly absolutePath: string;
  readonly type: LayerEntryType;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  /** Nanoseconds since the epoch. */
  readonly mtimeNs: bigint;
  readonly devMajor: number;
  readonly devMinor: number;
  readonly linkTarget?: string;
  readonly nlink: number;
  readonly inodeKey: string;
  /** All attributes, unfiltered; undefined when none or not read. */
  readonly xattrs?: ReadonlyMap<string, Buffer>;
}

export interface WalkOptions {
  /** Read extended attributes (one getfattr process for the tree). Default true. */
  readonly xattrs?: boolean;
}

export interface WalkedTree {
  /** The root with symlinks resolved. */
  readonly root: string;
  /** Entries by layer-relative path, in layer order; sockets are left out (a tar cannot hold them). */
  readonly entries: ReadonlyMap<string, TreeEntry>;
  readonly rootXattrs?: ReadonlyMap<string, Buffer>;
}

export async function walkTree(root: string, options: WalkOptions = {}): Promise<WalkedTree> {
  const realRoot = await realpath(root);
  const xattrsByPath = options.xattrs === false ? undefined : await readTreeXattrs(realRoot);
  const entries = new Map<string, TreeEntry>();

  async function visit(relativeDir: string): Promise<void> {
    const absoluteDir = relativeDir === '' ? realRoot : path.join(realRoot, relativeDir);
    const names = (await readdir(absoluteDir)).sort(compareCodePoints);
    const stats = await Promise.all(names.map((name) => lstat(path.join(absoluteDir, name), { bigint: true })));
    const linkTargets = await Promise.all(
      names.map((name, i) => (stats[i].isSymbolicLink() ? readlink(path.join(absoluteDir, name)) : undefined)),
    );
    for (let i = 0; i < names.length; i++) {
      const type = entryType(stats[i]);
      if (type === undefined) continue;
      const relativePath = joinLayerPath(relativeDir, names[i]);
      const absolutePath = path.join(absoluteDir, names[i]);
      entries.set(relativePath, treeEntry(relativePath, absolutePath, type, stats[i], linkTargets[i], xattrsByPath?.get(absolutePath)));
      if (type === 'directory') await visit(relativePath);
    }
  }

  await visit('');
  return { root: realRoot, entries, rootXattrs: xattrsByPath?.get(realRoot) };
}

/** The add change that records `entry` as it is on disk, with the given (already filtered) xattrs. */
export function addChangeFor(entry: TreeEntry, xattrs: ReadonlyMap<string, Buffer> | undefined): LayerAdd {
  const common = {
    kind: 'add' as const,
    path: entry.path,
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    mtime: Number(entry.mtimeNs) / 1e9,
    ...(xattrs && xattrs.size > 0 ? { xattrs } : {}),
    ...(entry.type !== 'directory' && entry.nlink > 1 ? { hardlinkKey: entry.inodeKey } : {}),
  };
  switch (entry.type) {
    case 'file':
      return { ...common, type: 'file', source: entry.absolutePath };
    case 'directory':
      return { ...common, type: 'directory' };
    case 'symlink':
      return { ...common, type: 'symlink', linkTarget: entry.linkTarget ?? '' };
    case 'character-device':
    case 'block-device':
      return { ...common, type: entry.type, devMajor: entry.devMajor, devMinor: entry.devMinor };
    case 'fifo':
      return { ...common, type: 'fifo' };
  }
}

function treeEntry(
  relativePath: string,
  absolutePath: string,
  type: LayerEntryType,
  stat: BigIntStats,
  linkTarget: string | undefined,
  xattrs: ReadonlyMap<string, Buffer> | undefined,
): TreeEntry {
  const rdev = stat.rdev;
  return {
    path: relativePath,
    absolutePath,
    type,
    mode: Number(stat.mode & 0o7777n),
    uid: Number(stat.uid),
    gid: Number(stat.gid),
    size: Number(stat.size),
    mtimeNs: stat.mtimeNs,
    devMajor: Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn)),
    devMinor: Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn)),
    linkTarget,
    nlink: Number(stat.nlink),
    inodeKey: `${stat.dev}:${stat.ino}`,
    xattrs: xattrs && xattrs.size > 0 ? xattrs : undefined,
  };
}

function entryType(stat: BigIntStats): LayerEntryType | undefined {
  if (stat.isFile()) return 'file';
  if (stat.isDirectory()) return 'directory';
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isCharacterDevice()) return 'character-device';
  if (stat.isBlockDevice()) return 'block-device';
  if (stat.isFIFO()) return 'fifo';
  return undefined;
}
