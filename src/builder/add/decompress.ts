/**
 * The decompressed bytes of a file whose compression is told by its first bytes, as BuildKit's DecompressStream
 * reads ADD sources: gzip with zlib; bzip2, xz and zstd by streaming through their command-line tools
 * (Node 20's zlib has none of them).
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { ArchiveUnreadableError, DecompressorUnavailableError } from './errors.js';

export type ArchiveCompression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

const MAGIC_LENGTH = 6;

const magics: ReadonlyArray<readonly [ArchiveCompression, readonly number[]]> = [
  ['gzip', [0x1f, 0x8b, 0x08]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];

/** The command that decompresses each tool-backed format, and the Debian package that has it. */
const tools = {
  bzip2: { command: 'bzip2', args: ['-d', '-c'], debianPackage: 'bzip2' },
  xz: { command: 'xz', args: ['-d', '-c'], debianPackage: 'xz-utils' },
  zstd: { command: 'zstd', args: ['-q', '-d', '-c'], debianPackage: 'zstd' },
} as const;

export function compressionOf(head: Uint8Array): ArchiveCompression {
  for (const [type, magic] of magics) if (magic.every((byte, index) => head[index] === byte)) return type;
  return 'none';
}

async function readHead(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(MAGIC_LENGTH);
    const { bytesRead } = await handle.read(buffer, 0, MAGIC_LENGTH, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * The content of `file`, decompressed. `label` names the file in errors. Stopping early (return() on the
 * iterator) closes the file and ends any decompressor process.
 */
export async function* decompressedFile(file: string, label: string): AsyncGenerator<Buffer, void, undefined> {
  const compression = compressionOf(await readHead(file));
  if (compression === 'none') {
    yield* createReadStream(file);
  } else if (compression === 'gzip') {
    yield* gunzipped(file);
  } else {
    yield* throughTool(file, label, tools[compression]);
  }
}

async function* gunzipped(file: string): AsyncGenerator<Buffer, void, undefined> {
  const input = createReadStream(file);
  const gunzip = createGunzip();
  input.on('error', (error) => gunzip.destroy(error));
  input.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } finally {
    input.destroy();
    gunzip.destroy();
  }
}

async function* throughTool(
  file: string,
  label: string,
  tool: { command: string; args: readonly string[]; debianPackage: string },
): AsyncGenerator<Buffer, void, undefined> {
  const child = spawn(tool.command, [...tool.args, '--', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (stderr.length < 4096) stderr += text;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  // Without a listener an early spawn failure would be an unhandled rejection; it is reported below.
  exited.catch(() => undefined);
  let finished = false;
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
    let code: number | null;
    try {
      code = await exited;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new DecompressorUnavailableError(label, tool.command, tool.debianPackage);
      throw error;
    }
    finished = true;
    if (code !== 0) throw new ArchiveUnreadableError(label, `${tool.command} failed (exit code ${code}): ${stderr.trim()}`);
  } finally {
    if (!finished && child.exitCode === null) child.kill();
  }
}
