import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar, { type Header } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { END_OF_ARCHIVE, contentPadding, encodePaxRecords, encodeTarHeader, type TarHeaderInput } from '../../src/layers/tar-header.js';
import { parsePaxRecords } from '../../src/layers/tar-reader.js';
import { CAPABILITY_HEX, listLayer, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

const base: TarHeaderInput = { name: 'file', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 1_700_000_000 };

function archive(...headers: Array<{ header: TarHeaderInput; content?: Buffer }>): Buffer {
  const parts: Buffer[] = [];
  for (const { header, content } of headers) {
    const body = content ?? Buffer.alloc(0);
    parts.push(encodeTarHeader({ ...header, size: body.length }), body, contentPadding(body.length));
  }
  return Buffer.concat([...parts, END_OF_ARCHIVE]);
}

/** Header as tar-stream, an independent reader, sees them. */
async function readWithTarStream(bytes: Buffer): Promise<Header[]> {
  const extract = tar.extract();
  const headers: Header[] = [];
  Readable.from([bytes]).pipe(extract);
  for await (const entry of extract) {
    headers.push(entry.header);
    entry.resume();
  }
  return headers;
}

describe('encodeTarHeader', () => {
  it('writes a plain ustar block when every value fits', () => {
    const block = encodeTarHeader({ ...base, mode: 0o4755, uid: 1000, gid: 1000, size: 5 });
    expect(block.length).toBe(512);
    expect(block.toString('latin1', 257, 265)).toBe('ustar\u000000');
    expect(block.toString('latin1', 100, 108)).toBe('0004755\0');
    expect(block.toString('latin1', 156, 157)).toBe('0');
    expect(block.subarray(265, 329).every((byte) => byte === 0)).toBe(true); // uname and gname empty
  });

  it('is deterministic', () => {
    const input: TarHeaderInput = { ...base, name: 'é'.repeat(80), xattrs: new Map([['user.b', Buffer.from([1])], ['user.a', Buffer.from([2])]]) };
    expect(encodeTarHeader(input).equals(encodeTarHeader({ ...input }))).toBe(true);
  });

  it('appends a slash to directory names', async () => {
    const [header] = await readWithTarStream(archive({ header: { ...base, name: 'dir', type: 'directory', mode: 0o1777 } }));
    expect(header.name).toBe('dir/');
    expect(header.type).toBe('directory');
    expect(header.mode).toBe(0o1777);
  });

  it('splits names of 101–256 ASCII bytes into prefix and name without PAX', async () => {
    const name = `${'p'.repeat(120)}/${'n'.repeat(90)}`;
    const bytes = archive({ header: { ...base, name } });
    expect(bytes.length).toBe(512 + 1024);
    expect((await readWithTarStream(bytes))[0].name).toBe(name);
  });

  it('uses a PAX path for names longer than 255 bytes, and a PAX linkpath for long link targets', async () => {
    const name = Array.from({ length: 30 }, (_, i) => `component${i}`).join('/');
    const linkTarget = `/${'t'.repeat(150)}`;
    const bytes = archive({ header: { ...base, name, type: 'symlink', linkTarget } });
    const [header] = await readWithTarStream(bytes);
    expect(name.length).toBeGreaterThan(255);
    expect(header.name).toBe(name);
    expect(header.linkname).toBe(linkTarget);
    const [ours] = await listLayer(bytes);
    expect(ours.header.name).toBe(name);
    expect(ours.header.linkTarget).toBe(linkTarget);
  });

  it('uses a PAX path for non-ASCII names', async () => {
    const name = 'données/日本語/😀.txt';
    const bytes = archive({ header: { ...base, name } });
    expect(bytes.toString('latin1', 156, 157)).toBe('x');
    expect((await readWithTarStream(bytes))[0].name).toBe(name);
  });

  it('keeps uid/gid 300000 (above 2^18) in ustar octal and moves larger ones to PAX', async () => {
    const [inUstar] = await readWithTarStream(archive({ header: { ...base, uid: 300_000, gid: 300_001 } }));
    expect([inUstar.uid, inUstar.gid]).toEqual([300_000, 300_001]);
    const bytes = archive({ header: { ...base, uid: 3_000_000_000, gid: 2_097_152 } });
    expect(bytes.toString('latin1', 156, 157)).toBe('x');
    const [ours] = await listLayer(bytes);
    expect([ours.header.uid, ours.header.gid]).toEqual([3_000_000_000, 2_097_152]);
  });

  it('writes xattrs as SCHILY.xattr records with raw binary values, sorted by name', () => {
    const capability = Buffer.from(CAPABILITY_HEX, 'hex');
    const bytes = encodeTarHeader({ ...base, xattrs: new Map([['user.z', Buffer.from('z')], ['security.capability', capability]]) });
    const paxSize = parseInt(bytes.toString('latin1', 124, 135), 8);
    const records = parsePaxRecords(bytes.subarray(512, 512 + paxSize));
    expect([...records.keys()]).toEqual(['SCHILY.xattr.security.capability', 'SCHILY.xattr.user.z']);
    expect(records.get('SCHILY.xattr.security.capability')!.equals(capability)).toBe(true);
    expect(bytes.subarray(512, 512 + paxSize).includes(capability)).toBe(true);
  });

  it('writes device numbers and the typeflags of every entry type', async () => {
    const bytes = archive(
      { header: { ...base, name: 'null', type: 'character-device', devMajor: 1, devMinor: 3 } },
      { header: { ...base, name: 'sda', type: 'block-device', devMajor: 8, devMinor: 0 } },
      { header: { ...base, name: 'pipe', type: 'fifo' } },
      { header: { ...base, name: 'link', type: 'hardlink', linkTarget: 'pipe' } },
    );
    const headers = await readWithTarStream(bytes);
    expect(headers.map((header) => [header.type, header.devmajor, header.devminor])).toEqual([
      ['character-device', 1, 3],
      ['block-device', 8, 0],
      ['fifo', 0, 0],
      ['link', 0, 0],
    ]);
  });

  it('produces archives GNU tar lists and extracts, binary xattrs included', async () => {
    const dir = await tempDir();
    const name = `${'long-directory-name/'.repeat(8)}é-file`;
    const bytes = archive(
      { header: { ...base, name: 'bin', type: 'directory', mode: 0o755 } },
      { header: { ...base, name: 'bin/ping', mode: 0o4755, uid: 300_000, xattrs: new Map([['security.capability', Buffer.from(CAPABILITY_HEX, 'hex')]]) }, content: Buffer.from('#!/bin/sh\n') },
      { header: { ...base, name, uid: 3_000_000 }, content: Buffer.from('x') },
    );
    const tarball = path.join(dir, 'layer.tar');
    await writeFile(tarball, bytes);
    const listing = execFileSync('tar', ['--numeric-owner', '-tvf', tarball], { encoding: 'utf8' });
    expect(listing).toContain('-rwsr-xr-x 300000/0');
    expect(listing).toContain('3000000/0');
    expect(listing).toContain(name);
    const out = path.join(dir, 'out');
    execFileSync('mkdir', [out]);
    execFileSync('tar', ['--xattrs', '--xattrs-include=*', '-xf', tarball, '-C', out]);
    const dump = execFileSync('getfattr', ['-h', '-n', 'security.capability', '-e', 'hex', '--absolute-names', path.join(out, 'bin/ping')], { encoding: 'utf8' });
    expect(dump).toContain(`security.capability=0x${CAPABILITY_HEX}`);
  });
});

describe('encodePaxRecords', () => {
  it('counts the length digits themselves, also across a power of ten', () => {
    for (let valueLength = 80; valueLength < 110; valueLength++) {
      const record = encodePaxRecords([['path', Buffer.alloc(valueLength, 0x61)]]);
      expect(Number(record.toString('latin1').split(' ')[0])).toBe(record.length);
      expect(parsePaxRecords(record).get('path')!.length).toBe(valueLength);
    }
  });
});
