/**
 * ADD of tar and gzip bombs: an archive is stopped at its entry or byte limit (BuildOptions.limits, defaults
 * 1,000,000 entries and 32 GiB) with ADD_ARCHIVE_LIMIT, fast, keeping nothing of it on disk.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ArchiveLimitError, extractArchive, StagingArea, TreeView, archiveLimits, type ArchiveLimits } from '../../src/builder/add/index.js';
import { build } from '../../src/builder/index.js';
import { expectRefused, listTree, timed, useSandboxes } from './support.js';
import { END, padding, rawEntry, rawHeader } from './tar-blocks.js';

const sandbox = useSandboxes('add-bombs');
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** A gzip of one file entry of `size` zero bytes, made of repeated gzip members (a valid multi-member stream). */
function gzipBomb(size: number): Buffer {
  const member = gzipSync(Buffer.alloc(64 * MiB), { level: 9 });
  const members = [gzipSync(rawHeader({ name: 'zeros', size }))];
  for (let written = 0; written + 64 * MiB <= size; written += 64 * MiB) members.push(member);
  const rest = size % (64 * MiB);
  members.push(gzipSync(Buffer.concat([Buffer.alloc(rest + padding(size)), END])));
  return Buffer.concat(members);
}

function manyFiles(count: number, size: number): Buffer {
  const entries: Buffer[] = [];
  const content = Buffer.alloc(size);
  for (let i = 0; i < count; i++) entries.push(rawEntry({ name: `f/${i}` }, content));
  return gzipSync(Buffer.concat([...entries, END]));
}

/** Unpacks `archive` the way ADD does, into an empty filesystem, with `limits`. */
async function unpack(archive: string, staging: string, limits: Partial<ArchiveLimits>): Promise<void> {
  const area = new StagingArea(async () => {
    await mkdir(staging, { recursive: true });
    return staging;
  }, archiveLimits(limits));
  const changes = new Map();
  await extractArchive(archive, 'bomb.tar.gz', { changes, view: new TreeView(changes, undefined), staging: area, directory: 'dst', owner: undefined, now: 0 });
}

describe('ADD of archive bombs', () => {
  it('refuses a gzip bomb of 10 GB expanded (about 10 MB compressed) at its header, in well under a second of work', async () => {
    const box = await sandbox(['context', 'staging']);
    const archive = path.join(box.dir('context'), 'bomb.tar.gz');
    const bomb = gzipBomb(10 * 1000 * 1000 * 1000);
    expect(bomb.length).toBeLessThan(16 * MiB);
    await writeFile(archive, bomb);
    const { ms, outcome } = await timed(() => unpack(archive, path.join(box.dir('staging'), 'area'), { archiveBytes: GiB }));
    const error = (outcome as { error: ArchiveLimitError }).error;
    expect(error).toBeInstanceOf(ArchiveLimitError);
    expect(error).toMatchObject({ code: 'ADD_ARCHIVE_LIMIT', limit: 'archiveBytes', message: `refusing to unpack archive bomb.tar.gz: it expands to more than ${GiB} bytes` });
    expect(error.hint).toMatch(/raise limits\.archiveBytes/);
    expect(ms).toBeLessThan(10_000);
    expect(await listTree(box.dir('staging'))).toEqual([]);
    await box.expectOutsideUntouched();
  });

  it('stops an archive of many small files once it has expanded past the byte limit', async () => {
    const box = await sandbox(['context', 'staging']);
    const archive = path.join(box.dir('context'), 'bomb.tar.gz');
    await writeFile(archive, manyFiles(2000, 64 * 1024));
    await expectRefused(unpack(archive, path.join(box.dir('staging'), 'area'), { archiveBytes: 8 * MiB }), {
      type: ArchiveLimitError,
      code: 'ADD_ARCHIVE_LIMIT',
      mentions: `it expands to more than ${8 * MiB} bytes`,
    });
    await box.expectOutsideUntouched();
  });

  it('stops an archive with more entries than the entry limit', async () => {
    const box = await sandbox(['context', 'staging']);
    const archive = path.join(box.dir('context'), 'bomb.tar.gz');
    await writeFile(archive, manyFiles(30_000, 0));
    const error = await expectRefused(unpack(archive, path.join(box.dir('staging'), 'area'), { archiveEntries: 10_000 }), {
      type: ArchiveLimitError,
      code: 'ADD_ARCHIVE_LIMIT',
      mentions: 'it has more than 10000 entries',
    });
    expect(error).toMatchObject({ limit: 'archiveEntries' });
    await box.expectOutsideUntouched();
  });

  it('refuses limits that are not positive integers', () => {
    expect(() => archiveLimits({ archiveBytes: -1 })).toThrow(/limits\.archiveBytes must be a positive integer/);
    expect(archiveLimits(undefined)).toEqual({ archiveEntries: 1_000_000, archiveBytes: 32 * GiB });
  });

  it('fails a build whose ADD archive declares more than the default 32 GiB, naming the Dockerfile line', async () => {
    const box = await sandbox(['context', 'cache', 'out']);
    const context = box.dir('context');
    const declared = 40 * GiB;
    await writeFile(path.join(context, 'bomb.tar.gz'), gzipSync(Buffer.concat([rawHeader({ name: 'huge', size: declared }), Buffer.alloc(4096)])));
    await writeFile(path.join(context, 'Dockerfile'), 'FROM scratch\nADD bomb.tar.gz /\n');
    const { ms, outcome } = await timed(() => build({ context, cacheDir: box.dir('cache'), outputs: [{ type: 'oci-layout', dest: box.dir('out') }] }));
    expect((outcome as { error: unknown }).error).toMatchObject({
      code: 'ADD_ARCHIVE_LIMIT',
      message: expect.stringMatching(new RegExp(`^Dockerfile:2:1: ADD .*: refusing to unpack archive bomb\\.tar\\.gz: it expands to more than ${32 * GiB} bytes$`)),
    });
    expect(ms).toBeLessThan(10_000);
    expect((await readdir(path.join(box.dir('cache'), 'tmp')).catch(() => [])).filter((name) => name.startsWith('add-'))).toEqual([]);
    await box.expectOutsideUntouched();
  });

  it('applies BuildOptions.limits to ADD in a build', async () => {
    const box = await sandbox(['context', 'cache', 'out']);
    const context = box.dir('context');
    await writeFile(path.join(context, 'many.tar.gz'), manyFiles(200, 64 * 1024));
    await writeFile(path.join(context, 'Dockerfile'), 'FROM scratch\nADD many.tar.gz /\n');
    await expect(build({ context, cacheDir: box.dir('cache'), outputs: [{ type: 'oci-layout', dest: box.dir('out') }], limits: { archiveBytes: MiB } })).rejects.toMatchObject({
      code: 'ADD_ARCHIVE_LIMIT',
      message: expect.stringMatching(/^Dockerfile:2:1: ADD many\.tar\.gz \/: /),
    });
    await box.expectOutsideUntouched();
  });
});
