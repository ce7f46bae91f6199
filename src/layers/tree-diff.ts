/**
 * The changes that turn one directory tree into another, found by a stat walk of both. File contents are
 * compared only where stat cannot decide: equal size and seconds, with one side's nanoseconds truncated
 * (as happens to a tree extracted from a tar).
 */
import { open } from 'node:fs/promises';
import type { LayerChange } from './layer-change.js';
import { compareLayerPaths, parentOf } from './layer-path.js';
import { addChangeFor, walkTree, type TreeEntry, type WalkOptions } from './tree-walk.js';
import { filterXattrs, isPortableXattr } from './xattrs.js';

export type DiffOptions = WalkOptions;

/** Every entry of `root` as an add (a layer holding the whole tree), with portable xattrs. */
export async function treeChanges(root: string, options: DiffOptions = {}): Promise<LayerChange[]> {
  const tree = await walkTree(root, options);
  return [...tree.entries.values()].map((entry) => addChangeFor(entry, portable(entry)));
}

/**
 * Changes from `lowerDir` to `upperDir`: adds (with their content read from `upperDir`), deletions of the
 * topmost removed paths, and the parent directories of every change so the layer stands on its own.
 */
export async function diffTrees(lowerDir: string, upperDir: string, options: DiffOptions = {}): Promise<LayerChange[]> {
  const [lower, upper] = await Promise.all([walkTree(lowerDir, options), walkTree(upperDir, options)]);
  const changes = new Map<string, LayerChange>();

  for (const [entryPath, entry] of upper.entries) {
    const before = lower.entries.get(entryPath);
    if (before === undefined || (await differs(before, entry))) changes.set(entryPath, addChangeFor(entry, portable(entry)));
  }
  for (const entryPath of lower.entries.keys()) {
    if (upper.entries.has(entryPath)) continue;
    const parent = parentOf(entryPath);
    // Below a removed or replaced directory the parent's own change already covers this path.
    if (parent === '' || upper.entries.get(parent)?.type === 'directory') changes.set(entryPath, { kind: 'delete', path: entryPath });
  }
  for (const entryPath of [...changes.keys()]) {
    for (let parent = parentOf(entryPath); parent !== '' && !changes.has(parent); parent = parentOf(parent)) {
      changes.set(parent, addChangeFor(upper.entries.get(parent)!, portable(upper.entries.get(parent)!)));
    }
  }
  return [...changes.values()].sort((a, b) => compareLayerPaths(a.path, b.path));
}

function portable(entry: TreeEntry): Map<string, Buffer> | undefined {
  return filterXattrs(entry.xattrs, isPortableXattr);
}

const NS_PER_SECOND = 1_000_000_000n;

async function differs(before: TreeEntry, after: TreeEntry): Promise<boolean> {
  if (before.inodeKey === after.inodeKey) return false;
  if (before.type !== after.type || before.mode !== after.mode || before.uid !== after.uid || before.gid !== after.gid) return true;
  if (!sameXattrs(portable(before), portable(after))) return true;
  switch (after.type) {
    case 'directory':
      return false;
    case 'symlink':
      if (before.linkTarget !== after.linkTarget) return true;
      break;
    case 'character-device':
    case 'block-device':
      if (before.devMajor !== after.devMajor || before.devMinor !== after.devMinor) return true;
      break;
    case 'file':
      if (before.size !== after.size) return true;
      break;
  }
  if (before.mtimeNs / NS_PER_SECOND !== after.mtimeNs / NS_PER_SECOND) return true;
  const beforeNs = before.mtimeNs % NS_PER_SECOND;
  const afterNs = after.mtimeNs % NS_PER_SECOND;
  if (beforeNs === afterNs) return false;
  if (beforeNs !== 0n && afterNs !== 0n) return true;
  return after.type === 'file' && after.size > 0 ? !(await sameContent(before.absolutePath, after.absolutePath)) : false;
}

function sameXattrs(a: ReadonlyMap<string, Buffer> | undefined, b: ReadonlyMap<string, Buffer> | undefined): boolean {
  if ((a?.size ?? 0) !== (b?.size ?? 0)) return false;
  for (const [name, value] of a ?? []) {
    const other = b?.get(name);
    if (other === undefined || !value.equals(other)) return false;
  }
  return true;
}

const COMPARE_CHUNK_SIZE = 256 * 1024;

async function sameContent(pathA: string, pathB: string): Promise<boolean> {
  const [a, b] = await Promise.all([open(pathA, 'r'), open(pathB, 'r')]);
  try {
    const bufferA = Buffer.allocUnsafe(COMPARE_CHUNK_SIZE);
    const bufferB = Buffer.allocUnsafe(COMPARE_CHUNK_SIZE);
    for (let position = 0; ; position += COMPARE_CHUNK_SIZE) {
      const [readA, readB] = await Promise.all([a.read(bufferA, 0, COMPARE_CHUNK_SIZE, position), b.read(bufferB, 0, COMPARE_CHUNK_SIZE, position)]);
      if (readA.bytesRead !== readB.bytesRead) return false;
      if (readA.bytesRead === 0) return true;
      if (!bufferA.subarray(0, readA.bytesRead).equals(bufferB.subarray(0, readB.bytesRead))) return false;
    }
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}
