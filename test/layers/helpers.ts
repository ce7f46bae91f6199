/**
 * Shared test helpers for the layers tests: temp dirs on disk, tarballs crafted with tar-stream (an
 * implementation independent of ours), and tool checks.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import tar, { type Header } from 'tar-stream';
import { afterEach } from 'vitest';
import { readTarEntries } from '../../src/layers/tar-reader.js';
import type { TarEntryHeader } from '../../src/layers/tar-format.js';

export const isRoot = process.getuid?.() === 0;

/** A `tempDir()` function whose directories are removed after each test of the calling file. */
export function useTempDirs(): (prefix?: string) => Promise<string> {
  const created: string[] = [];
  afterEach(async () => {
    await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async (prefix = 'layers-') => {
    const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
    created.push(dir);
    return dir;
  };
}

/** The header tar-stream's pack takes: a name and whatever else is set. */
export type CraftedHeader = Partial<Header> & Pick<Header, 'name'>;

export interface CraftedEntry {
  readonly header: CraftedHeader;
  readonly content?: string | Buffer;
}

/** An uncompressed tarball made by tar-stream. */
export async function craftTar(entries: readonly CraftedEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (chunk: unknown) => {
      chunks.push(chunk as Buffer);
    });
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const entry of entries) {
    const isFile = entry.header.type === 'file' || entry.header.type === undefined;
    const header = { mtime: new Date(1_000_000_000), ...entry.header };
    await new Promise<void>((resolve, reject) => {
      const callback = (error?: Error | null) => (error ? reject(error) : resolve());
      if (isFile) pack.entry(header, entry.content ?? '', callback);
      else pack.entry(header, callback);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export interface ReadEntry {
  readonly header: TarEntryHeader;
  readonly content: Buffer;
}

/** The entries of an uncompressed or gzip layer, read with our reader. */
export async function listLayer(layer: Buffer): Promise<ReadEntry[]> {
  const tarBytes = layer[0] === 0x1f && layer[1] === 0x8b ? gunzipSync(layer) : layer;
  const entries: ReadEntry[] = [];
  for await (const { header, body } of readTarEntries(chunksOf(tarBytes, 1000))) {
    const parts: Buffer[] = [];
    for await (const chunk of body) parts.push(chunk);
    entries.push({ header, content: Buffer.concat(parts) });
  }
  return entries;
}

/** `bytes` as an async stream of chunks of `size` bytes, to exercise chunk boundaries. */
export async function* chunksOf(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

/** A Writable that collects everything written to it. */
export function collector(): { stream: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, bytes: () => Buffer.concat(chunks) };
}

export function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Whether zstd tests can run. Without the CLI they are skipped with a loud warning, except in CI
 * (CI=true), where the missing tool is a failure.
 */
export function zstdPresent(suite: string): boolean {
  if (hasCommand('zstd')) return true;
  const message = `SKIPPED ${suite}: the zstd command is not installed (Debian package zstd)`;
  if (process.env.CI === 'true') throw new Error(`${message} (required when CI=true)`);
  console.warn(`\n*** ${message} ***\n`);
  return false;
}

export function setXattr(file: string, name: string, hexValue: string): void {
  execFileSync('setfattr', ['-h', '-n', name, '-v', `0x${hexValue}`, file]);
}

export function getXattrs(file: string): Map<string, Buffer> {
  const output = execFileSync('getfattr', ['-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', file]).toString('latin1');
  const result = new Map<string, Buffer>();
  for (const line of output.split('\n')) {
    const match = /^([^#=][^=]*)=0x([0-9a-f]*)$/.exec(line);
    if (match) result.set(match[1], Buffer.from(match[2], 'hex'));
  }
  return result;
}

/** A security.capability value (cap_net_bind_service, effective) with bytes above 0x7f. */
export const CAPABILITY_HEX = '0100000200040000ff00000000000000000000c0';
