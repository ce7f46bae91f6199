import os from 'node:os';
import path from 'node:path';
import { parseDigest } from '../image/index.js';

/**
 * Where things are in a content store:
 *
 *   <root>/store-version            "1"
 *   <root>/blobs/sha256/<hex>       verified blobs, named by digest
 *   <root>/snapshots/sha256/<hex>/  unpacked layer stacks, named by chain ID
 *   <root>/refs/<kind>/<name>       roots: JSON naming a descriptor (images kept, cache entries)
 *   <root>/leases/<owner>.lease     what running processes are using (also roots while alive)
 *   <root>/tmp/<owner>...           temp files and directories, renamed into place when complete
 *   <root>/lock                     the store-wide lock (held briefly by writers, throughout by prune)
 *
 * `<owner>` is `<host-tag>-<pid>-<random>`: whose a temp file or lease is, so that leftovers of dead processes can
 * be told from work in progress.
 */
export const storeVersion = '1';

/** `$XDG_CACHE_HOME/build-image` (when XDG_CACHE_HOME is an absolute path), else `~/.cache/build-image`. */
export function defaultStoreRoot(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'build-image');
  return path.join(home, '.cache', 'build-image');
}

export class StoreLayout {
  readonly root: string;
  readonly blobs: string;
  readonly snapshots: string;
  readonly refs: string;
  readonly leases: string;
  readonly tmp: string;
  readonly lock: string;
  readonly version: string;
  /** Remembered Dockerfile parses (the parser's parseWithMemo); not content, not verified. */
  static readonly parseMemoName = 'parse-memo';

  constructor(root: string) {
    this.root = path.resolve(root);
    this.blobs = path.join(this.root, 'blobs');
    this.snapshots = path.join(this.root, 'snapshots');
    this.refs = path.join(this.root, 'refs');
    this.leases = path.join(this.root, 'leases');
    this.tmp = path.join(this.root, 'tmp');
    this.lock = path.join(this.root, 'lock');
    this.version = path.join(this.root, 'store-version');
  }

  blob(digest: string): string {
    const { algorithm, hex } = parseDigest(digest);
    return path.join(this.blobs, algorithm, hex);
  }

  snapshot(chainId: string): string {
    const { algorithm, hex } = parseDigest(chainId);
    return path.join(this.snapshots, algorithm, hex);
  }
}
