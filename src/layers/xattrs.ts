/**
 * Extended attributes through getfattr/setfattr (Debian package `attr`), since Node has no xattr API.
 * One process per tree or per layer, never one per file: `getfattr -R` dumps a whole tree, and
 * `setfattr --restore` applies a whole batch.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Xattrs } from './layer-change.js';
import { XattrError, XattrToolUnavailableError } from './errors.js';

/** Attributes that describe the host rather than the image: overlayfs bookkeeping and SELinux labels. */
export function isPortableXattr(name: string): boolean {
  return !name.startsWith('trusted.overlay.') && !name.startsWith('user.overlay.') && name !== 'security.selinux';
}

/** Only these can be set by a process that is not root. */
export function isUnprivilegedXattr(name: string): boolean {
  return name.startsWith('user.');
}

export function filterXattrs(xattrs: Xattrs | undefined, keep: (name: string) => boolean): Map<string, Buffer> | undefined {
  if (!xattrs) return undefined;
  const kept = new Map([...xattrs].filter(([name]) => keep(name)));
  return kept.size > 0 ? kept : undefined;
}

/**
 * Every extended attribute under `root` (included), by absolute path, symlinks not followed. Paths without
 * attributes are absent.
 */
export async function readTreeXattrs(root: string): Promise<Map<string, Map<string, Buffer>>> {
  const absoluteRoot = path.resolve(root);
  const output = await run('getfattr', ['-R', '-P', '-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', '--', absoluteRoot]);
  return parseGetfattrDump(output);
}

/** Sets the given attributes, each path's own (a symlink's, not its target's). */
export async function writeXattrs(items: Iterable<readonly [string, Xattrs]>): Promise<void> {
  const dump = formatXattrDump(items);
  if (dump.length === 0) return;
  await run('setfattr', ['-h', '--restore=-'], dump);
}

/** Parses `getfattr -d -e hex --absolute-names` output. */
export function parseGetfattrDump(output: Buffer): Map<string, Map<string, Buffer>> {
  const result = new Map<string, Map<string, Buffer>>();
  let current: Map<string, Buffer> | undefined;
  let start = 0;
  while (start < output.length) {
    let end = output.indexOf(0x0a, start);
    if (end === -1) end = output.length;
    const line = output.subarray(start, end);
    start = end + 1;
    if (line.length === 0) continue;
    if (line.subarray(0, 8).toString('latin1') === '# file: ') {
      current = new Map();
      result.set(unquote(line.subarray(8)), current);
      continue;
    }
    const equals = line.indexOf(0x3d);
    if (current === undefined || equals === -1) throw new XattrError(`unexpected getfattr output line '${line.toString('utf8')}'`);
    const value = line.subarray(equals + 1).toString('latin1');
    if (!/^0x([0-9a-f]{2})*$/i.test(value)) throw new XattrError(`unexpected getfattr value encoding '${value}'`);
    current.set(unquote(line.subarray(0, equals)), Buffer.from(value.slice(2), 'hex'));
  }
  return result;
}

/** The `setfattr --restore` input for `items`. */
export function formatXattrDump(items: Iterable<readonly [string, Xattrs]>): Buffer {
  const parts: Buffer[] = [];
  for (const [filePath, xattrs] of items) {
    if (xattrs.size === 0) continue;
    parts.push(Buffer.from('# file: ', 'latin1'), quote(filePath), Buffer.from('\n', 'latin1'));
    for (const [name, value] of xattrs) {
      parts.push(quote(name), Buffer.from(`=0x${Buffer.from(value).toString('hex')}\n`, 'latin1'));
    }
    parts.push(Buffer.from('\n', 'latin1'));
  }
  return Buffer.concat(parts);
}

/** attr's quoting: backslash, '=', control bytes and DEL become `\ooo` octal escapes. */
function quote(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const out: number[] = [];
  for (const byte of bytes) {
    if (byte === 0x5c || byte === 0x3d || byte < 0x20 || byte === 0x7f) {
      out.push(0x5c, 0x30 + (byte >> 6), 0x30 + ((byte >> 3) & 7), 0x30 + (byte & 7));
    } else {
      out.push(byte);
    }
  }
  return Buffer.from(out);
}

function unquote(bytes: Buffer): string {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === 0x5c && i + 3 < bytes.length && isOctalDigit(bytes[i + 1]) && isOctalDigit(bytes[i + 2]) && isOctalDigit(bytes[i + 3])) {
      out.push(((bytes[i + 1] - 0x30) << 6) | ((bytes[i + 2] - 0x30) << 3) | (bytes[i + 3] - 0x30));
      i += 3;
    } else {
      out.push(byte);
    }
  }
  return Buffer.from(out).toString('utf8');
}

function isOctalDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x37;
}

function run(tool: string, args: string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      if (stderr.length < 8192) stderr += text;
    });
    child.on('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new XattrToolUnavailableError(tool) : error));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(stdout));
      else reject(new XattrError(`${tool} exited with code ${code}: ${stderr.trim()}`));
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}
