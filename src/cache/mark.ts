import { open, stat } from 'node:fs/promises';
import { chainIds, isDigest, isLayerMediaType, maxDocumentSize } from '../image/index.js';
import type { StoreLayout } from './store-layout.js';

/** Something to keep, and why (a root file, a lease), for reports. */
export interface MarkStart {
  digest: string;
  mediaType?: string;
  from: string;
}

export interface MarkResult {
  /** Blobs reachable from the starts. */
  blobs: Set<string>;
  /** Chain IDs of the snapshots to keep. */
  snapshots: Set<string>;
  /** Blobs referred to but absent: a root or document whose content is incomplete. */
  missing: { digest: string; from: string }[];
}

/**
 * Everything reachable from roots and leases. Every JSON blob reached is scanned for descriptors (objects with
 * mediaType, digest and size: an index's manifests, a manifest's config and layers, descriptors in cache records)
 * and for `diff_ids` lists (an image config's rootfs), whose chain IDs name the snapshots to keep. Layer blobs are
 * not read.
 */
export async function markReachable(layout: StoreLayout, starts: readonly MarkStart[], snapshots: Iterable<string> = []): Promise<MarkResult> {
  const result: MarkResult = { blobs: new Set(), snapshots: new Set(snapshots), missing: [] };
  const queue: MarkStart[] = [...starts];
  while (queue.length > 0) {
    const item = queue.shift()!;
    if (result.blobs.has(item.digest) || !isDigest(item.digest)) continue;
    const file = layout.blob(item.digest);
    const info = await stat(file).catch(() => undefined);
    if (!info) {
      result.missing.push({ digest: item.digest, from: item.from });
      continue;
    }
    result.blobs.add(item.digest);
    if (isLayerMediaType(item.mediaType) || info.size > maxDocumentSize || info.size === 0) continue;
    const document = await readJson(file, info.size);
    if (document === undefined) continue;
    scan(document, (descriptor) => queue.push({ ...descriptor, from: `${item.digest} (from ${item.from})` }), (diffIds) => {
      for (const id of chainIds(diffIds)) result.snapshots.add(id);
    });
  }
  return result;
}

/** A blob's JSON, or undefined when it is not JSON (checked by its first byte before reading it all). */
async function readJson(file: string, size: number): Promise<unknown> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const first = Buffer.alloc(1);
    await handle.read(first, 0, 1, 0);
    if (first[0] !== 0x7b /* { */ && first[0] !== 0x5b /* [ */) return undefined;
    const bytes = Buffer.alloc(size);
    await handle.read(bytes, 0, size, 0);
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

function scan(value: unknown, onDescriptor: (descriptor: { digest: string; mediaType: string }) => void, onDiffIds: (diffIds: string[]) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) scan(item, onDescriptor, onDiffIds);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const record = value as Record<string, unknown>;
  if (typeof record.mediaType === 'string' && isDigest(record.digest) && typeof record.size === 'number') {
    onDescriptor({ digest: record.digest, mediaType: record.mediaType });
  }
  for (const [key, member] of Object.entries(record)) {
    if ((key === 'diff_ids' || key === 'diffIds') && Array.isArray(member) && member.length > 0 && member.every(isDigest)) onDiffIds(member);
    else scan(member, onDescriptor, onDiffIds);
  }
}
