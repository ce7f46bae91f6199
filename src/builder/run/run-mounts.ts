import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { chmod, chown, copyFile, cp, lstat, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { digestSelection, expandSelection, selectSources, type Excludes } from '../../context/index.js';
import type { Mount } from '../../parser/index.js';
import { StepErrorCode, StepProblem } from '../step-errors.js';

/** A mount as the executor gets it. */
export type RunMount =
  | { type: 'bind'; source: string; target: string; readOnly: boolean }
  | { type: 'tmpfs'; target: string; sizeBytes: number | undefined };

/** Where a mount's `from` (or the context, without one) puts its files, and what identifies them in a cache key. */
export interface MountSourceRoot {
  root: string;
  /** The cache key of the stage or image, or `context`. */
  key: string;
  /** The context's .dockerignore, for the context; undefined for a stage or image filesystem. */
  excludes: Excludes | undefined;
  /** Whether the excludes hide anything (if not, the context can be bound as it is). */
  filtered: boolean;
}

/** A secret given to the build (`--secret id=...,src=...` or `env=...`): a file to read, or the value itself. */
export type SecretSource = { file: string } | { value: string };

export interface RunMountContext {
  /** Resolves `from=` (undefined: the build context). */
  sourceRoot(from: string | undefined): Promise<MountSourceRoot>;
  secrets: Readonly<Record<string, SecretSource>>;
  /** The store root: cache mounts live in `<root>/cache-mounts`. */
  storeRoot: string;
  /** A new owner-stamped directory in the store's tmp/ (ContentStore.makeTempDir), cleaned up if this process dies. */
  makeTempDir(label: string): Promise<string>;
}

/** The mounts of one RUN, ready for the executor; `release` removes what was made for this run only. */
export interface PreparedMounts {
  mounts: RunMount[];
  /** `KEY=value` of secrets mounted with `env=`. */
  env: string[];
  release(): Promise<void>;
}

function secretId(mount: Mount): string {
  const id = mount.id ?? (mount.target ? path.posix.basename(mount.target) : '');
  if (id === '') throw new StepProblem(StepErrorCode.MountUnsupported, 'a secret mount needs an id or a target');
  return id;
}

function cacheId(mount: Mount): string {
  return mount.id ?? mount.target ?? '';
}

/**
 * What a mount contributes to the step's cache key, as BuildKit keys it: its definition, and for a bind mount the
 * content of what it binds. Cache mount contents and secret values never enter the key.
 */
export async function mountKeyPart(mount: Mount, context: RunMountContext): Promise<unknown> {
  switch (mount.type) {
    case 'bind': {
      const from = await context.sourceRoot(mount.from);
      const selected = await selectSources(from.root, mount.source ?? '.', { excludes: from.excludes, symlinks: from.excludes ? 'error' : 'scoped' });
      const content = await digestSelection(from.root, selected, { excludes: from.excludes });
      return { type: 'bind', target: mount.target, readOnly: mount.readOnly, from: from.key, source: mount.source ?? '.', content };
    }
    case 'cache':
      return { type: 'cache', target: mount.target, id: cacheId(mount), sharing: mount.sharing ?? 'shared', readOnly: mount.readOnly, mode: mount.mode, uid: mount.uid, gid: mount.gid, from: mount.from ?? null, source: mount.source ?? null };
    case 'tmpfs':
      return { type: 'tmpfs', target: mount.target, size: mount.sizeLimit ?? null };
    case 'secret':
      return { type: 'secret', id: secretId(mount), target: mount.target ?? null, env: mount.env ?? null, required: mount.required, mode: mount.mode, uid: mount.uid, gid: mount.gid };
    case 'ssh':
      throw new StepProblem(StepErrorCode.MountUnsupported, 'RUN --mount=type=ssh is not supported by this builder', 'Use a secret mount for credentials instead');
  }
}

/** Cache mounts of this process in use, for `sharing=locked` (one at a time) and `sharing=private` (a fresh dir). */
const cacheMountsInUse = new Map<string, { count: number; queue: Promise<void> }>();

/** Creates the mounts' sources (cache dirs, secret files, copies for writable binds) and lists them. */
export async function prepareMounts(definitions: readonly Mount[], context: RunMountContext): Promise<PreparedMounts> {
  const mounts: RunMount[] = [];
  const env: string[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  const release = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    for (const mount of definitions) {
      const target = mount.target ?? '';
      switch (mount.type) {
        case 'bind':
          mounts.push({ type: 'bind', source: await bindSource(mount, context, cleanups), target, readOnly: mount.readOnly });
          break;
        case 'tmpfs':
          mounts.push({ type: 'tmpfs', target, sizeBytes: mount.sizeLimit });
          break;
        case 'cache':
          mounts.push({ type: 'bind', source: await cacheSource(mount, context, cleanups), target, readOnly: mount.readOnly });
          break;
        case 'secret': {
          const id = secretId(mount);
          const secret = context.secrets[id];
          if (secret === undefined) {
            if (mount.required) throw new StepProblem(StepErrorCode.SecretNotFound, `secret ${id} not found`, `Pass it with --secret id=${id},src=FILE or env=VARIABLE`);
            break;
          }
          const value = 'value' in secret ? Buffer.from(secret.value) : await readFile(secret.file);
          if (mount.env !== undefined) env.push(`${mount.env}=${value.toString('utf8')}`);
          if (mount.env !== undefined && mount.target === undefined) break;
          const dir = await context.makeTempDir('secret');
          cleanups.push(() => rm(dir, { recursive: true, force: true }));
          const file = path.join(dir, 'secret');
          await writeFile(file, value, { mode: 0o600 });
          await chown(file, mount.uid ?? 0, mount.gid ?? 0);
          await chmod(file, mount.mode ?? 0o400);
          mounts.push({ type: 'bind', source: file, target: mount.target ?? `/run/secrets/${id}`, readOnly: true });
          break;
        }
        case 'ssh':
          throw new StepProblem(StepErrorCode.MountUnsupported, 'RUN --mount=type=ssh is not supported by this builder');
      }
    }
  } catch (error) {
    await release();
    throw error;
  }
  return { mounts, env, release };
}

/** The path a bind mount binds: in place when read-only and nothing is hidden, else a private copy. */
async function bindSource(mount: Mount, context: RunMountContext, cleanups: Array<() => Promise<void>>): Promise<string> {
  const from = await context.sourceRoot(mount.from);
  const [selected] = await selectSources(from.root, mount.source ?? '.', { excludes: from.excludes, symlinks: from.excludes ? 'error' : 'scoped', allowEmptyWildcard: false });
  if (selected === undefined) throw new StepProblem(StepErrorCode.MountUnsupported, `mount source ${mount.source ?? '.'} not found`);
  const resolved = path.join(from.root, selected.resolvedPath);
  if (mount.readOnly && !from.filtered) return resolved;
  const dir = await context.makeTempDir('bind');
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const copy = path.join(dir, 'source');
  const [expanded] = await expandSelection(from.root, [selected], { excludes: from.excludes });
  for (const { relative, entry } of expanded.entries) {
    const to = path.join(copy, relative);
    const at = path.join(from.root, entry.path);
    if (entry.type === 'directory') await mkdir(to, { recursive: true, mode: entry.mode });
    else if (entry.type === 'symlink') await symlink(entry.linkTarget ?? '', to);
    else if (entry.type === 'file') await copyFile(at, to, fsConstants.COPYFILE_FICLONE);
    else continue;
    if (entry.type !== 'symlink') await chmod(to, entry.mode);
  }
  return copy;
}

async function cacheSource(mount: Mount, context: RunMountContext, cleanups: Array<() => Promise<void>>): Promise<string> {
  const id = cacheId(mount);
  const name = createHash('sha256').update(id).digest('hex').slice(0, 32);
  const dir = path.join(context.storeRoot, 'cache-mounts', name);
  const sharing = mount.sharing ?? 'shared';
  let usage = cacheMountsInUse.get(dir);
  if (!usage) {
    usage = { count: 0, queue: Promise.resolve() };
    cacheMountsInUse.set(dir, usage);
  }
  if (sharing === 'private' && usage.count > 0) {
    const fresh = await context.makeTempDir('cache');
    cleanups.push(() => rm(fresh, { recursive: true, force: true }));
    await initCacheDir(fresh, mount, context);
    return fresh;
  }
  if (sharing === 'locked') {
    const previous = usage.queue;
    let unlock!: () => void;
    usage.queue = new Promise<void>((resolve) => {
      unlock = resolve;
    });
    await previous;
    cleanups.push(async () => unlock());
  }
  usage.count++;
  const current = usage;
  cleanups.push(async () => {
    current.count--;
  });
  if (!(await lstat(dir).catch(() => undefined))) {
    const staging = await context.makeTempDir('cache-new');
    await initCacheDir(staging, mount, context);
    await mkdir(path.dirname(dir), { recursive: true });
    await rename(staging, dir).catch(async () => rm(staging, { recursive: true, force: true }));
  }
  return dir;
}

/** A new cache directory: seeded from `from`/`source` when given, with the mount's owner and mode. */
async function initCacheDir(dir: string, mount: Mount, context: RunMountContext): Promise<void> {
  if (mount.from !== undefined) {
    const from = await context.sourceRoot(mount.from);
    const [selected] = await selectSources(from.root, mount.source ?? '.', { symlinks: 'scoped' });
    if (selected) await cp(path.join(from.root, selected.resolvedPath), dir, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  }
  await chown(dir, mount.uid ?? 0, mount.gid ?? 0);
  await chmod(dir, mount.mode ?? 0o755);
}
