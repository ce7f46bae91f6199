/**
 * The changes recorded in an overlayfs upper directory: character devices 0/0 (and files carrying the
 * overlay.whiteout xattr) are deletions, directories with overlay.opaque = "y" hide their lower content,
 * everything else is added as it is.
 */
import { OverlayUnsupportedError } from './errors.js';
import type { LayerChange } from './layer-change.js';
import { addChangeFor, walkTree, type TreeEntry } from './tree-walk.js';
import { filterXattrs, isPortableXattr } from './xattrs.js';

const OVERLAY_XATTR_NAMESPACES = ['trusted.overlay.', 'user.overlay.'] as const;

export async function overlayUpperToChanges(upperDir: string): Promise<LayerChange[]> {
  const upper = await walkTree(upperDir, { xattrs: true });
  const changes: LayerChange[] = [];
  for (const entry of upper.entries.values()) {
    if (overlayXattr(entry, 'redirect') !== undefined) throw new OverlayUnsupportedError(entry.path, 'redirect_dir (a renamed directory)');
    if (overlayXattr(entry, 'metacopy') !== undefined) throw new OverlayUnsupportedError(entry.path, 'metacopy (content left in a lower layer)');
    if (isWhiteout(entry)) {
      changes.push({ kind: 'delete', path: entry.path });
      continue;
    }
    changes.push(addChangeFor(entry, filterXattrs(entry.xattrs, isPortableXattr)));
    // "x" marks a directory that merely holds xattr whiteouts; only "y" is opaque.
    if (entry.type === 'directory' && overlayXattr(entry, 'opaque')?.toString('latin1') === 'y') changes.push({ kind: 'opaque', path: entry.path });
  }
  return changes;
}

function isWhiteout(entry: TreeEntry): boolean {
  if (entry.type === 'character-device' && entry.devMajor === 0 && entry.devMinor === 0) return true;
  return entry.type === 'file' && entry.size === 0 && overlayXattr(entry, 'whiteout') !== undefined;
}

function overlayXattr(entry: TreeEntry, name: string): Buffer | undefined {
  for (const namespace of OVERLAY_XATTR_NAMESPACES) {
    const value = entry.xattrs?.get(namespace + name);
    if (value !== undefined) return value;
  }
  return undefined;
}
