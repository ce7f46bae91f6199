/**
 * Mounting an overlay over many lower directories. The kernel takes the whole option string in one page, so
 * the lower dirs are given relative to their common parent, with mount(8) run from there; a list that still
 * does not fit is reported, not truncated.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** One page minus the terminating NUL. */
export const MOUNT_OPTIONS_LIMIT = 4095;

export interface OverlayLayout {
  /** Top-most first, as overlayfs wants them; absolute. */
  readonly lowers: readonly string[];
  readonly upper: string;
  readonly work: string;
  readonly target: string;
  /**
   * Mounting as root of a child user namespace: overlayfs then keeps its markers in `user.overlay.*` xattrs
   * (`userxattr`), where `redirect_dir` may only be `nofollow`.
   */
  readonly userxattr?: boolean;
}

export interface OverlayMountArgs {
  readonly cwd: string;
  readonly options: string;
}

/** The directory every path lies in ('/' at worst). */
export function commonParent(paths: readonly string[]): string {
  const split = paths.map((entry) => path.resolve(entry).split('/').filter(Boolean));
  const common: string[] = [];
  for (let index = 0; split.every((parts) => index < parts.length - 1 && parts[index] === split[0][index]); index++) common.push(split[0][index]);
  return `/${common.join('/')}`;
}

/**
 * The option string and the directory to mount from, or a reason why these lowers cannot be mounted with one
 * mount(2) call. `redirect_dir`, `metacopy` and `index` are off (redirects neither made nor followed in a user
 * namespace) so the upper dir holds plain copies, whiteouts and opaque markers only, which is what
 * overlayUpperToChanges reads.
 */
export function overlayMountArgs(layout: OverlayLayout): OverlayMountArgs | { unsupported: string } {
  const unsafe = [...layout.lowers, layout.upper, layout.work].find((entry) => /[:,\\\n]/.test(entry));
  if (unsafe !== undefined) return { unsupported: `the path ${unsafe} holds a character overlayfs options cannot carry (: , \\)` };
  const cwd = commonParent(layout.lowers);
  const lowers = layout.lowers.map((lower) => path.relative(cwd, lower) || '.');
  const features = layout.userxattr ? 'userxattr,index=off,redirect_dir=nofollow,metacopy=off' : 'index=off,redirect_dir=off,metacopy=off';
  const options = `lowerdir=${lowers.join(':')},upperdir=${layout.upper},workdir=${layout.work},${features}`;
  if (options.length > MOUNT_OPTIONS_LIMIT) {
    return { unsupported: `${layout.lowers.length} lower directories need ${options.length} bytes of mount options, more than the kernel's ${MOUNT_OPTIONS_LIMIT}` };
  }
  return { cwd, options };
}

export async function mountOverlay(args: OverlayMountArgs, target: string): Promise<void> {
  await execFileAsync('mount', ['-t', 'overlay', '-o', args.options, 'overlay', target], { cwd: args.cwd });
}

/** Unmounts `target`, lazily when it is busy. */
export async function unmount(target: string): Promise<void> {
  try {
    await execFileAsync('umount', [target]);
  } catch {
    await execFileAsync('umount', ['-l', target]);
  }
}
