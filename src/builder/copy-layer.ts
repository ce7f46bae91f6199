import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { ExpandedSource } from '../context/index.js';
import type { AddDirectory, LayerAdd } from '../layers/index.js';
import { extractArchive, TreeView, type StagingArea } from './add/index.js';
import type { ModeChange } from './chmod.js';
import type { InlineFile } from './plan/index.js';
import { StepErrorCode, StepProblem } from './step-errors.js';
import type { Owner } from './user-database.js';

/** Where and how COPY/ADD writes. */
export interface CopyTarget {
  /** The destination, absolute, as written after WORKDIR resolution (a trailing `/` kept: it means a directory). */
  destination: string;
  /** The stage's filesystem before the step, to tell existing directories and parents apart; undefined if empty. */
  rootfs: string | undefined;
  /** `--chown`; undefined keeps 0:0 (or an archive's own owners). */
  owner: Owner | undefined;
  chmod: ModeChange | undefined;
  /** `--parents`: keep each source's path below the destination. */
  parents: boolean;
  /** Seconds, for directories the step creates. */
  now: number;
  /** Where unpacked archive contents wait for the layer writer; needed when a source is an archive. */
  staging?: StagingArea;
}

/** A source the step copies: entries found in a root, with whether their owners are kept or reset to 0:0. */
export interface CopySource {
  root: string;
  expanded: ExpandedSource;
  keepOwners: boolean;
}

/** ADD of a tar archive (local, or downloaded with `--unpack`): unpacked into the destination directory. */
export interface ArchiveSource {
  kind: 'archive';
  file: string;
  /** How errors name it: the context path or the URL. */
  label: string;
}

/** ADD of a URL: one file, mode 0600 before `--chmod`, its time from Last-Modified. */
export interface DownloadedSource {
  kind: 'downloaded';
  file: string;
  name: string;
  mtime: number;
}

export type StepSource = CopySource | ArchiveSource | DownloadedSource;

function layerPath(absolute: string): string {
  return path.posix.normalize(absolute).replace(/^\/+/, '').replace(/\/+$/, '');
}

async function isDirectoryIn(rootfs: string | undefined, layerRelative: string): Promise<boolean> {
  if (rootfs === undefined || layerRelative === '') return layerRelative === '';
  const info = await lstat(path.join(rootfs, layerRelative)).catch(() => undefined);
  return info?.isDirectory() ?? false;
}

/**
 * The changes of one COPY/ADD, following Docker's rules: a directory source copies its contents; a file goes to
 * `dest/name` when the destination is a directory (ends with `/`, exists as one, or several sources are copied),
 * else to `dest` itself; missing parent directories are created. Parents that exist keep their metadata.
 */
export async function copyChanges(target: CopyTarget, sources: readonly StepSource[], inline: readonly InlineFile[]): Promise<LayerAdd[]> {
  const changes = new Map<string, LayerAdd>();
  const destination = layerPath(target.destination);
  const count = sources.length + inline.length;
  const destinationIsDirectory =
    target.destination.endsWith('/') || count > 1 || target.parents || (await isDirectoryIn(target.rootfs, destination));
  if (count > 1 && !target.destination.endsWith('/') && !(await isDirectoryIn(target.rootfs, destination)) && !target.parents) {
    // Docker lets several sources land in an existing directory, or in one the destination names with a slash.
    throw new StepProblem(
      StepErrorCode.CopyDestination,
      'When using COPY with more than one source file, the destination must be a directory and end with a /',
    );
  }
  const owner = (entryUid: number, entryGid: number, keep: boolean): { uid: number; gid: number } =>
    target.owner ?? (keep ? { uid: entryUid, gid: entryGid } : { uid: 0, gid: 0 });
  const mode = (bits: number, isDirectory: boolean): number => (target.chmod ? target.chmod(bits, isDirectory) : bits);

  const add = (change: LayerAdd): void => {
    if (change.path !== '') changes.set(change.path, change);
  };

  const view = new TreeView(changes, target.rootfs);
  for (const item of sources) {
    if ('kind' in item) {
      if (item.kind === 'archive') await unpackArchive(item, target, changes, view);
      else {
        const at = destinationIsDirectory ? layerPath(path.posix.join('/', destination, item.name)) : destination;
        const ids = target.owner ?? { uid: 0, gid: 0 };
        add({ kind: 'add', type: 'file', path: at, uid: ids.uid, gid: ids.gid, mode: mode(0o600, false), mtime: item.mtime, source: item.file });
      }
      continue;
    }
    const { root, expanded, keepOwners } = item;
    const { source } = expanded;
    let base: string;
    if (target.parents) base = layerPath(path.posix.join('/', destination, source.path));
    else if (source.entry.type === 'directory') base = destination;
    else base = destinationIsDirectory ? layerPath(path.posix.join('/', destination, path.posix.basename(source.path))) : destination;

    for (const { relative, entry } of expanded.entries) {
      const at = relative === '.' ? base : layerPath(path.posix.join('/', base, relative));
      if (relative === '.' && entry.type === 'directory' && (await isDirectoryIn(target.rootfs, at))) {
        // BuildKit's copy leaves the metadata of a destination directory that exists alone.
        add(await directoryEntry(target.rootfs, at, undefined, target.now));
        continue;
      }
      const ids = owner(entry.uid, entry.gid, keepOwners);
      const common = { path: at, uid: ids.uid, gid: ids.gid, mtime: Number(entry.mtimeNs / 1_000_000_000n) };
      switch (entry.type) {
        case 'directory':
          add({ ...common, kind: 'add', type: 'directory', mode: mode(entry.mode, true) });
          break;
        case 'file':
          add({ ...common, kind: 'add', type: 'file', mode: mode(entry.mode, false), source: path.join(root, entry.path), hardlinkKey: entry.nlink > 1 ? `${entry.dev}:${entry.ino}` : undefined });
          break;
        case 'symlink':
          add({ ...common, kind: 'add', type: 'symlink', mode: entry.mode, linkTarget: entry.linkTarget ?? '' });
          break;
        case 'fifo':
          add({ ...common, kind: 'add', type: 'fifo', mode: mode(entry.mode, false) });
          break;
        case 'character-device':
        case 'block-device':
          add({ ...common, kind: 'add', type: entry.type, mode: entry.mode, devMajor: entry.devMajor, devMinor: entry.devMinor });
          break;
        default:
          // Sockets cannot be stored in a layer; Docker skips them too.
          break;
      }
    }
  }

  for (const file of inline) {
    const at = destinationIsDirectory ? layerPath(path.posix.join('/', destination, file.name)) : destination;
    const ids = target.owner ?? { uid: 0, gid: 0 };
    add({ kind: 'add', type: 'file', path: at, uid: ids.uid, gid: ids.gid, mode: mode(0o644, false), mtime: target.now, source: Buffer.from(file.content) });
  }

  await addParents(changes, target);
  return [...changes.values()];
}

/** Unpacks into the destination as BuildKit does: always a directory, found through the filesystem's symlinks. */
async function unpackArchive(archive: ArchiveSource, target: CopyTarget, changes: Map<string, LayerAdd>, view: TreeView): Promise<void> {
  if (!target.staging) throw new Error('copyChanges: an archive source needs a staging area');
  const resolved = await view.resolve('', layerPath(target.destination), { followLeaf: true, escape: 'clamp' });
  if ('refused' in resolved) throw new StepProblem(StepErrorCode.CopyDestination, `cannot unpack ${archive.label} into ${target.destination}: ${resolved.refused}`);
  await extractArchive(archive.file, archive.label, { changes, view, staging: target.staging, directory: resolved.path, owner: target.owner, now: target.now });
}

/**
 * A directory a step writes: one that exists in the stage's filesystem keeps its metadata; a missing one is
 * created 0755, owned by `owner` (default root), with time `now`.
 */
export async function directoryEntry(rootfs: string | undefined, relative: string, owner: Owner | undefined, now: number): Promise<AddDirectory> {
  const existing = rootfs === undefined ? undefined : await lstat(path.join(rootfs, relative)).catch(() => undefined);
  if (existing?.isDirectory()) {
    return { kind: 'add', type: 'directory', path: relative, mode: existing.mode & 0o7777, uid: existing.uid, gid: existing.gid, mtime: Math.floor(existing.mtimeMs / 1000) };
  }
  const ids = owner ?? { uid: 0, gid: 0 };
  return { kind: 'add', type: 'directory', path: relative, mode: 0o755, uid: ids.uid, gid: ids.gid, mtime: now };
}

/** Every directory above an added path: existing ones with their metadata, missing ones created. */
async function addParents(changes: Map<string, LayerAdd>, target: CopyTarget): Promise<void> {
  const parents = new Set<string>();
  for (const changePath of changes.keys()) {
    for (let parent = path.posix.dirname(changePath); parent !== '.' && parent !== '/'; parent = path.posix.dirname(parent)) {
      if (changes.has(parent)) break;
      parents.add(parent);
    }
  }
  for (const parent of parents) changes.set(parent, await directoryEntry(target.rootfs, parent, target.owner, target.now));
}
