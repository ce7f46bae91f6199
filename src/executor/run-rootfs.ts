/**
 * The rootfs of a RUN step and the changes the step makes to it.
 *
 * - overlay: the lower snapshots mounted under an empty upper dir; changes are read from the upper dir
 *   (overlayUpperToChanges), minus directories that were only copied up (for mount stubs) and are unchanged.
 * - copy: where the overlay cannot be mounted (no privilege, nested overlay, too many lowers), a copy of the
 *   top-most lower (`cp -a --reflink=auto`); changes are a stat-walk diff of that lower against the copy.
 * - no lowers (FROM scratch): an empty directory that is its own upper dir (reported as `overlay`: an overlay
 *   with nothing below), every entry of which is a change.
 */
import { execFile } from 'node:child_process';
import { lstat, mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { diffTrees, overlayUpperToChanges, treeChanges, type LayerChange } from '../layers/index.js';
import { inChildUserNamespace } from './current-user-namespace.js';
import { RunRootfsError } from './errors.js';
import { mountOverlay, overlayMountArgs, unmount } from './overlay-mount.js';

const execFileAsync = promisify(execFile);

export interface PrepareRunRootfsOptions {
  /**
   * Snapshot directories, bottom-most first (the order of the image's layers): the last one is the top. Each is
   * an overlay layer directory (whiteouts as 0/0 devices); the store's snapshots are complete trees, and the copy
   * fallback copies only the top-most one, so with complete snapshots one lower (the parent's) is enough.
   */
  readonly lowers: readonly string[];
  /** A directory of the caller's; the rootfs's directories are made in a fresh subdirectory of it. */
  readonly workDir: string;
  /** `auto` (default): overlay, falling back to copy; `copy`: always copy. */
  readonly mode?: 'auto' | 'copy';
}

export type RootfsMode = 'overlay' | 'copy';

export interface PreparedRootfs {
  /** The directory to run in. */
  readonly root: string;
  /** overlay: the upper dir (with no lowers, the same as `root`); copy: the same as `root`. */
  readonly upperDir: string;
  readonly mode: RootfsMode;
  /** Why the overlay was not used, when mode is `copy` and the overlay was tried. */
  readonly fallbackReason?: string;
  /** The step's changes; call it after the run has ended and before release(). */
  changes(): Promise<LayerChange[]>;
  /** Unmounts (lazily if busy) and removes every directory made; safe to call more than once. */
  release(): Promise<void>;
}

export async function prepareRunRootfs(options: PrepareRunRootfsOptions): Promise<PreparedRootfs> {
  const lowers = options.lowers.map((lower) => path.resolve(lower));
  const dir = await mkdtemp(path.join(path.resolve(options.workDir), 'rootfs-'));
  try {
    if (lowers.length === 0) return await plainRootfs(dir);
    if (options.mode === 'copy') return await copyRootfs(dir, lowers[lowers.length - 1]);
    const overlay = await overlayRootfs(dir, lowers);
    return typeof overlay === 'string' ? await copyRootfs(dir, lowers[lowers.length - 1], overlay) : overlay;
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error instanceof RunRootfsError ? error : new RunRootfsError(`cannot prepare the rootfs: ${(error as Error).message}`, { cause: error });
  }
}

function releaser(dir: string, mounted?: string): () => Promise<void> {
  let releasing: Promise<void> | undefined;
  return () =>
    (releasing ??= (async () => {
      if (mounted !== undefined) {
        await unmount(mounted).catch((error: unknown) => {
          throw new RunRootfsError(`cannot unmount ${mounted}: ${(error as Error).message}`, { cause: error });
        });
      }
      await rm(dir, { recursive: true, force: true });
    })());
}

async function plainRootfs(dir: string): Promise<PreparedRootfs> {
  const root = path.join(dir, 'rootfs');
  await mkdir(root, { mode: 0o755 });
  return { root, upperDir: root, mode: 'overlay', changes: () => treeChanges(root), release: releaser(dir) };
}

async function copyRootfs(dir: string, top: string, fallbackReason?: string): Promise<PreparedRootfs> {
  const root = path.join(dir, 'rootfs');
  await execFileAsync('cp', ['-a', '--reflink=auto', top, root]).catch((error: Error & { stderr?: string }) => {
    throw new RunRootfsError(`cannot copy ${top} for the RUN step: ${error.stderr?.trim() || error.message}`, { cause: error });
  });
  return {
    root,
    upperDir: root,
    mode: 'copy',
    ...(fallbackReason !== undefined ? { fallbackReason } : {}),
    changes: () => diffTrees(top, root),
    release: releaser(dir),
  };
}

/** The mounted overlay, or why it could not be mounted (with `dir` emptied again). */
async function overlayRootfs(dir: string, lowers: readonly string[]): Promise<PreparedRootfs | string> {
  const [upper, work, merged] = ['upper', 'work', 'merged'].map((name) => path.join(dir, name));
  await Promise.all([upper, work, merged].map((entry) => mkdir(entry, { mode: 0o755 })));
  const topFirst = [...lowers].reverse();
  const args = overlayMountArgs({ lowers: topFirst, upper, work, target: merged, userxattr: inChildUserNamespace() });
  if ('unsupported' in args) return emptied(dir, args.unsupported);
  try {
    await mountOverlay(args, merged);
  } catch (error) {
    const failure = error as Error & { stderr?: string };
    return emptied(dir, `the overlay mount failed: ${failure.stderr?.trim() || failure.message}`);
  }
  return {
    root: merged,
    upperDir: upper,
    mode: 'overlay',
    changes: async () => dropCopiedUpDirectories(await overlayUpperToChanges(upper), upper, topFirst),
    release: releaser(dir, merged),
  };
}

async function emptied(dir: string, reason: string): Promise<string> {
  await Promise.all(['upper', 'work', 'merged'].map((name) => rm(path.join(dir, name), { recursive: true, force: true })));
  return reason;
}

/**
 * Drops directory adds that the upper dir holds only because something was created and removed again below them
 * (the executor's mount stubs): same mode, owner and mtime as in the lowers, no xattrs of their own, not opaque,
 * and no remaining change below.
 */
async function dropCopiedUpDirectories(changes: LayerChange[], upper: string, topFirst: readonly string[]): Promise<LayerChange[]> {
  const opaque = new Set(changes.filter((change) => change.kind === 'opaque').map((change) => change.path));
  const candidates = new Set<string>();
  for (const change of changes) {
    if (change.kind !== 'add' || change.type !== 'directory' || opaque.has(change.path) || (change.xattrs?.size ?? 0) > 0) continue;
    if (await unchangedDirectory(change.path, upper, topFirst)) candidates.add(change.path);
  }
  if (candidates.size === 0) return changes;
  const needed = new Set<string>();
  for (const change of changes) {
    if (candidates.has(change.path)) continue;
    for (let slash = change.path.lastIndexOf('/'); slash > 0; slash = change.path.lastIndexOf('/', slash - 1)) needed.add(change.path.slice(0, slash));
  }
  return changes.filter((change) => !candidates.has(change.path) || needed.has(change.path));
}

async function unchangedDirectory(layerPath: string, upper: string, topFirst: readonly string[]): Promise<boolean> {
  const now = await lstat(path.join(upper, layerPath), { bigint: true });
  for (const lower of topFirst) {
    const before = await lstat(path.join(lower, layerPath), { bigint: true }).catch(() => undefined);
    if (before === undefined) continue;
    return before.isDirectory() && before.mode === now.mode && before.uid === now.uid && before.gid === now.gid && before.mtimeNs === now.mtimeNs;
  }
  return false;
}
