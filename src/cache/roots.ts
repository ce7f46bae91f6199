import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { readdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { replaceFileSync } from '../files/index.js';
import { checkDescriptor, type Descriptor } from '../image/index.js';
import { StoreError, StoreErrorCode } from './errors.js';
import { ownedName } from './owner.js';

/**
 * Roots: what the store keeps. `refs/<kind>/<file>` holds `{ kind, name, descriptor, updated }`; prune keeps every
 * blob reachable from a root's descriptor (an index's manifests, a manifest's config and layers, descriptors inside
 * other JSON documents) and the snapshots of the layer stacks of every config it reaches. Kinds in use: `image`
 * (images kept in the store, by name) and `cache` (step-cache entries, by key).
 */
export interface Root {
  kind: string;
  name: string;
  descriptor: Descriptor;
  /** ISO time of the last update. */
  updated: string;
}

const kindPattern = /^[a-z][a-z0-9-]{0,63}$/;

function checkKind(kind: string): void {
  if (!kindPattern.test(kind)) throw new StoreError(StoreErrorCode.InvalidRootName, `root kind "${kind}" must be lower-case letters, digits and -`);
}

/** The file name of a root: the name percent-encoded, or a hash of it when that would be too long. */
export function rootFileName(name: string): string {
  if (name === '') throw new StoreError(StoreErrorCode.InvalidRootName, 'a root name must not be empty');
  const encoded = encodeURIComponent(name).replace(/^\./, '%2E');
  return encoded.length <= 200 ? encoded : `sha256-${createHash('sha256').update(name).digest('hex')}`;
}

export class RootStore {
  readonly dir: string;
  private readonly tmp: string;

  constructor(dir: string, tmp: string) {
    this.dir = dir;
    this.tmp = tmp;
  }

  file(kind: string, name: string): string {
    checkKind(kind);
    return path.join(this.dir, kind, rootFileName(name));
  }

  /** Writes a root atomically (call under the store lock). */
  async set(kind: string, name: string, descriptor: Descriptor): Promise<Root> {
    const file = this.file(kind, name);
    const root: Root = { kind, name, descriptor: compact(descriptor), updated: new Date().toISOString() };
    mkdirSync(path.dirname(file), { recursive: true });
    // The temporary file is an owned name in the store's tmp/, which recovery cleans up after a crash.
    replaceFileSync(file, `${JSON.stringify(root)}\n`, { temp: path.join(this.tmp, ownedName('.root')), mode: 0o644 });
    return root;
  }

  async get(kind: string, name: string): Promise<Root | undefined> {
    const file = this.file(kind, name);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return parseRoot(text, file);
  }

  async delete(kind: string, name: string): Promise<boolean> {
    try {
      await unlink(this.file(kind, name));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  /** Every root (of one kind, when given), and the files that are not valid roots. */
  async list(kind?: string): Promise<{ roots: Root[]; invalid: string[] }> {
    if (kind !== undefined) checkKind(kind);
    const kinds = kind !== undefined ? [kind] : await readdir(this.dir).catch(() => [] as string[]);
    const roots: Root[] = [];
    const invalid: string[] = [];
    for (const k of kinds.sort()) {
      const dir = path.join(this.dir, k);
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names.sort()) {
        const file = path.join(dir, name);
        const text = await readFile(file, 'utf8').catch(() => undefined);
        const root = text === undefined ? undefined : tryParseRoot(text, file);
        if (root) roots.push(root);
        else if (text !== undefined) invalid.push(file);
      }
    }
    return { roots, invalid };
  }
}

function compact(descriptor: Descriptor): Descriptor {
  const result: Descriptor = { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size };
  if (descriptor.platform) result.platform = descriptor.platform;
  if (descriptor.annotations) result.annotations = descriptor.annotations;
  return result;
}

function parseRoot(text: string, file: string): Root {
  const root = tryParseRoot(text, file);
  if (!root) throw new StoreError(StoreErrorCode.InvalidRootName, `${file} is not a valid root`);
  return root;
}

function tryParseRoot(text: string, file: string): Root | undefined {
  try {
    const value = JSON.parse(text) as Partial<Root>;
    if (typeof value.kind !== 'string' || typeof value.name !== 'string' || typeof value.updated !== 'string') return undefined;
    checkDescriptor(value.descriptor, file);
    return value as Root;
  } catch {
    return undefined;
  }
}
