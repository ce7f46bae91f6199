import { spawnSync } from 'node:child_process';
import { gunzipSync, gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import type { BuildResult } from '../../src/builder/index.js';
import { readLayoutBlob } from '../support/oci-layout.js';

/** An entry of a test archive, written as given (hostile names included) with tar-stream. */
export interface ArchiveEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo';
  content?: string;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  /** Seconds. */
  mtime?: number;
}

export async function tarArchive(entries: readonly ArchiveEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const content = type === 'file' ? Buffer.from(entry.content ?? '') : undefined;
    const header: Partial<tar.Header> & { name: string } = {
      name: entry.name,
      type,
      mode: entry.mode ?? (type === 'directory' ? 0o755 : 0o644),
      uid: entry.uid ?? 0,
      gid: entry.gid ?? 0,
      mtime: new Date((entry.mtime ?? 1_600_000_000) * 1000),
      ...(entry.linkname !== undefined ? { linkname: entry.linkname } : {}),
      size: content?.length ?? 0,
    };
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null): void => (error ? reject(error) : resolve());
      if (content) pack.entry(header, content, done);
      else pack.entry(header, done);
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

export type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

/** The bytes compressed with zlib (gzip) or the command-line tool of the format. */
export function compress(bytes: Buffer, compression: Compression): Buffer<ArrayBufferLike> {
  if (compression === 'none') return bytes;
  if (compression === 'gzip') return gzipSync(bytes);
  const result = spawnSync(compression, ['-c'], { input: bytes, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${compression} failed: ${String(result.stderr)}`);
  return result.stdout;
}

export interface LayerEntryInfo {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  /** Seconds. */
  mtime: number;
  linkname: string | undefined;
  content: string | undefined;
}

/** The entries of one (gzip) layer of a build written to an OCI layout, by name. */
export async function layerEntries(layout: string, result: BuildResult, index = result.manifest.layers.length - 1): Promise<Map<string, LayerEntryInfo>> {
  const digest = result.manifest.layers[index].digest;
  const bytes = gunzipSync(await readLayoutBlob(layout, digest));
  const extract = tar.extract();
  const entries = new Map<string, LayerEntryInfo>();
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const { header } = entry;
      entries.set(header.name.replace(/\/$/, ''), {
        type: header.type ?? 'file',
        mode: header.mode ?? 0,
        uid: header.uid ?? 0,
        gid: header.gid ?? 0,
        mtime: Math.floor((header.mtime?.getTime() ?? 0) / 1000),
        linkname: header.linkname ?? undefined,
        content: header.type === 'file' ? Buffer.concat(chunks).toString('utf8') : undefined,
      });
    }
  })();
  extract.end(bytes);
  await done;
  return entries;
}
