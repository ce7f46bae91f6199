/**
 * The filesystem a step writes into, as it will look once its layer is applied: the changes made so far over
 * the stage's filesystem before the step. Paths are layer paths (no leading slash, '' for the root).
 */
import type { Stats } from 'node:fs';
import { lstat, readlink } from 'node:fs/promises';
import path from 'node:path';
import type { LayerAdd } from '../../layers/index.js';

export type ViewNode =
  | { type: 'directory'; change?: LayerAdd; stats?: Stats }
  | { type: 'symlink'; linkTarget: string }
  | { type: 'other' };

const MAX_SYMLINKS = 255;

export function parentPath(layerPath: string): string {
  const slash = layerPath.lastIndexOf('/');
  return slash === -1 ? '' : layerPath.slice(0, slash);
}

export function joinPath(...parts: string[]): string {
  return parts.filter((part) => part !== '').join('/');
}

/** A relative path cleaned ('' for the top); leading `..` components are kept, so an escape stays visible. */
function normalizeRelative(relative: string): string {
  const normalized = path.posix.normalize(relative);
  return normalized === '.' ? '' : normalized.replace(/\/+$/, '');
}

function escapes(normalized: string): boolean {
  return normalized === '..' || normalized.startsWith('../');
}

export class TreeView {
  private readonly lower = new Map<string, Promise<ViewNode | undefined>>();

  constructor(
    private readonly changes: ReadonlyMap<string, LayerAdd>,
    private readonly rootfs: string | undefined,
  ) {}

  async node(layerPath: string): Promise<ViewNode | undefined> {
    if (layerPath === '') return { type: 'directory' };
    const change = this.changes.get(layerPath);
    if (change) {
      if (change.type === 'directory') return { type: 'directory', change };
      return change.type === 'symlink' ? { type: 'symlink', linkTarget: change.linkTarget } : { type: 'other' };
    }
    // Something this step put in place of a directory hides whatever the filesystem had below it.
    for (let ancestor = parentPath(layerPath); ancestor !== ''; ancestor = parentPath(ancestor)) {
      const above = this.changes.get(ancestor);
      if (above && above.type !== 'directory') return undefined;
    }
    return this.lowerNode(layerPath);
  }

  /** What the stage's filesystem has at `layerPath`, read only through real directories (never a host symlink). */
  private lowerNode(layerPath: string): Promise<ViewNode | undefined> {
    let known = this.lower.get(layerPath);
    if (!known) {
      known = this.readLower(layerPath);
      this.lower.set(layerPath, known);
    }
    return known;
  }

  private async readLower(layerPath: string): Promise<ViewNode | undefined> {
    if (this.rootfs === undefined) return undefined;
    const parent = parentPath(layerPath);
    if (parent !== '' && (await this.lowerNode(parent))?.type !== 'directory') return undefined;
    const file = path.join(this.rootfs, layerPath);
    const stats = await lstat(file).catch(() => undefined);
    if (!stats) return undefined;
    if (stats.isDirectory()) return { type: 'directory', stats };
    if (stats.isSymbolicLink()) return { type: 'symlink', linkTarget: await readlink(file) };
    return { type: 'other' };
  }

  /**
   * Where `name` (clean, relative to the directory `root`) lands, following symlinks as BuildKit's archive
   * extraction does: an absolute target is read from `root`, a relative one from the link's directory. A
   * target that climbs above `root` is refused (`escape: 'refuse'`, for archive entries) or stopped at it
   * (`'clamp'`, securejoin's rule for destinations). The last component is followed only with `followLeaf`.
   */
  async resolve(root: string, name: string, options: { followLeaf: boolean; escape: 'refuse' | 'clamp' }): Promise<{ path: string } | { refused: string }> {
    let pending = name;
    for (let followed = 0; followed <= MAX_SYMLINKS; followed++) {
      const parts = pending.split('/').filter((part) => part !== '' && part !== '.');
      const done: string[] = [];
      let restart: string | undefined;
      for (let index = 0; index < parts.length; index++) {
        const part = parts[index];
        if (part === '..') {
          done.pop();
          continue;
        }
        if (index === parts.length - 1 && !options.followLeaf) {
          done.push(part);
          break;
        }
        const node = await this.node(joinPath(root, ...done, part));
        if (node?.type !== 'symlink') {
          if (node === undefined) return { path: joinPath(root, ...done, ...parts.slice(index)) };
          done.push(part);
          continue;
        }
        const target = node.linkTarget.startsWith('/')
          ? normalizeRelative(node.linkTarget.replace(/^\/+/, ''))
          : normalizeRelative(path.posix.join(...done, node.linkTarget));
        let next = target;
        if (escapes(target)) {
          if (options.escape === 'refuse') return { refused: `the symlink '${joinPath(...done, part)}' -> '${node.linkTarget}' on its path points outside the destination` };
          next = target.replace(/^(\.\.(\/|$))+/, '');
        }
        restart = joinPath(next, ...parts.slice(index + 1));
        break;
      }
      if (restart === undefined) return { path: joinPath(root, ...done) };
      pending = restart;
    }
    return { refused: 'too many levels of symbolic links' };
  }
}
