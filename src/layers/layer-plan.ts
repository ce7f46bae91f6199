/**
 * Turns a change list into the ordered tar entries of a layer: validated paths, whiteouts, sorted order,
 * hardlinks to the first path sharing an inode, and deterministic header fields.
 */
import { InvalidLayerChangeError } from './errors.js';
import type { LayerAdd, LayerChange } from './layer-change.js';
import { WHITEOUT_PREFIX, compareLayerPaths, layerPathProblem, opaqueWhiteoutPathFor, whiteoutPathFor } from './layer-path.js';
import { checkSourceDateEpoch, clampMtime } from './source-date-epoch.js';
import type { TarHeaderInput } from './tar-header.js';

export interface PlannedEntry {
  /** The header; for files read from disk the size is filled in when the file is opened. */
  readonly header: TarHeaderInput;
  /** Content of a regular file: an absolute path to read, or the bytes. */
  readonly content?: string | Uint8Array;
}

export interface PlanOptions {
  readonly sourceDateEpoch?: number;
}

export function planLayer(changes: readonly LayerChange[], options: PlanOptions = {}): PlannedEntry[] {
  const epoch = checkSourceDateEpoch(options.sourceDateEpoch);
  const byPath = new Map<string, LayerChange>();
  const opaque = new Set<string>();
  for (const change of changes) {
    checkChange(change);
    if (change.kind === 'opaque') {
      if (opaque.has(change.path)) throw new InvalidLayerChangeError(change.path, 'the directory is marked opaque twice');
      opaque.add(change.path);
      continue;
    }
    const earlier = byPath.get(change.path);
    if (earlier) throw new InvalidLayerChangeError(change.path, `the path is both ${describe(earlier)} and ${describe(change)}`);
    byPath.set(change.path, change);
  }
  for (const path of opaque) {
    const change = byPath.get(path);
    if (change && !(change.kind === 'add' && change.type === 'directory')) {
      throw new InvalidLayerChangeError(path, `an opaque directory cannot also be ${describe(change)}`);
    }
  }

  const whiteoutTime = epoch ?? 0;
  const entries: PlannedEntry[] = [];
  for (const path of opaque) entries.push({ header: whiteoutHeader(opaqueWhiteoutPathFor(path), whiteoutTime) });
  for (const change of byPath.values()) {
    if (change.kind === 'delete') entries.push({ header: whiteoutHeader(whiteoutPathFor(change.path), whiteoutTime) });
    else if (change.kind === 'add') entries.push(addEntry(change, epoch));
  }
  entries.sort((a, b) => compareLayerPaths(a.header.name, b.header.name));
  return linkHardlinks(entries, byPath);
}

function checkChange(change: LayerChange): void {
  const problem = layerPathProblem(change.path);
  if (problem) throw new InvalidLayerChangeError(change.path, problem);
  if (change.path.split('/').some((component) => component.startsWith(WHITEOUT_PREFIX))) {
    throw new InvalidLayerChangeError(change.path, `names starting with '${WHITEOUT_PREFIX}' are reserved for whiteouts`);
  }
  if (change.kind !== 'add') return;
  const { path } = change;
  if (!Number.isInteger(change.mode) || change.mode < 0) throw new InvalidLayerChangeError(path, `mode ${change.mode} is not a non-negative integer`);
  for (const [field, value] of [['uid', change.uid], ['gid', change.gid]] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new InvalidLayerChangeError(path, `${field} ${value} is not a non-negative integer`);
  }
  if (!Number.isFinite(change.mtime)) throw new InvalidLayerChangeError(path, `mtime ${change.mtime} is not a number`);
  for (const name of change.xattrs?.keys() ?? []) {
    if (name === '' || name.includes('=') || name.includes('\0') || name.includes('\n')) {
      throw new InvalidLayerChangeError(path, `xattr name '${name}' cannot be stored in a tar`);
    }
  }
  switch (change.type) {
    case 'file':
      if (typeof change.source === 'string' && !change.source.startsWith('/')) {
        throw new InvalidLayerChangeError(path, `source '${change.source}' is not an absolute path`);
      }
      break;
    case 'symlink':
      if (change.linkTarget === '' || change.linkTarget.includes('\0')) throw new InvalidLayerChangeError(path, 'the symlink target is empty or contains NUL');
      break;
    case 'character-device':
    case 'block-device':
      for (const value of [change.devMajor, change.devMinor]) {
        if (!Number.isInteger(value) || value < 0 || value > 0o7777777) throw new InvalidLayerChangeError(path, `device number ${value} is out of range`);
      }
      break;
  }
}

function addEntry(change: LayerAdd, epoch: number | undefined): PlannedEntry {
  const common = {
    name: change.path,
    type: change.type,
    mode: change.mode & 0o7777,
    uid: change.uid,
    gid: change.gid,
    mtime: clampMtime(change.mtime, epoch),
    xattrs: change.xattrs && change.xattrs.size > 0 ? change.xattrs : undefined,
  };
  switch (change.type) {
    case 'file':
      return {
        header: { ...common, size: typeof change.source === 'string' ? 0 : change.source.byteLength },
        content: change.source,
      };
    case 'symlink':
      return { header: { ...common, size: 0, linkTarget: change.linkTarget } };
    case 'character-device':
    case 'block-device':
      return { header: { ...common, size: 0, devMajor: change.devMajor, devMinor: change.devMinor } };
    default:
      return { header: { ...common, size: 0 } };
  }
}

function whiteoutHeader(name: string, mtime: number): TarHeaderInput {
  return { name, type: 'file', mode: 0, uid: 0, gid: 0, size: 0, mtime };
}

/** Every non-directory add after the first one with the same hardlink key becomes a hardlink to it. */
function linkHardlinks(entries: PlannedEntry[], byPath: ReadonlyMap<string, LayerChange>): PlannedEntry[] {
  const firstPathByKey = new Map<string, string>();
  return entries.map((entry) => {
    const change = byPath.get(entry.header.name);
    if (!change || change.kind !== 'add' || change.type === 'directory' || change.hardlinkKey === undefined) return entry;
    const first = firstPathByKey.get(change.hardlinkKey);
    if (first === undefined) {
      firstPathByKey.set(change.hardlinkKey, entry.header.name);
      return entry;
    }
    const { header } = entry;
    return {
      header: { name: header.name, type: 'hardlink', mode: header.mode, uid: header.uid, gid: header.gid, size: 0, mtime: header.mtime, linkTarget: first },
    };
  });
}

function describe(change: LayerChange): string {
  return change.kind === 'add' ? `an added ${change.type}` : change.kind === 'delete' ? 'deleted' : 'opaque';
}
