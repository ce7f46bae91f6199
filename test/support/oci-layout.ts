import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImageIndex } from '../../src/image/index.js';

/** The bytes of blob `digest` (`sha256:<hex>`) in the OCI layout directory `layout`. */
export function readLayoutBlob(layout: string, digest: string): Promise<Buffer> {
  const [algorithm, hex] = digest.split(':');
  return readFile(path.join(layout, 'blobs', algorithm, hex));
}

/** A JSON blob (a manifest, a config) of the OCI layout directory `layout`, parsed. */
export async function readLayoutJson<T>(layout: string, digest: string): Promise<T> {
  return JSON.parse((await readLayoutBlob(layout, digest)).toString('utf8')) as T;
}

/** The index.json of the OCI layout directory `layout`. */
export async function readLayoutIndex(layout: string): Promise<ImageIndex> {
  return JSON.parse(await readFile(path.join(layout, 'index.json'), 'utf8')) as ImageIndex;
}
