import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { digestOf, tempName, writeVerifiedFile, writeVerifiedTemp } from '../../src/image/index.js';
import { tempDirs } from '../fixtures/temp-dir.js';

const tempDir = tempDirs('atomic-file');

describe('verified file writes', () => {
  it('hashes while writing and renames into place, to a path or to a name made from the digest', async () => {
    const dir = await tempDir();
    const written = await writeVerifiedFile(Readable.from([Buffer.from('ab'), Buffer.from('c')]), (w) => path.join(dir, w.digest.slice(7)), path.join(dir, tempName()));
    expect(written).toEqual({ digest: digestOf('abc'), size: 3 });
    expect(await readFile(path.join(dir, digestOf('abc').slice(7)), 'utf8')).toBe('abc');
    await writeVerifiedFile(Buffer.from('x'), path.join(dir, 'x'), path.join(dir, tempName()), { expected: { digest: digestOf('x'), size: 1 }, durable: false });
    expect((await readdir(dir)).sort()).toEqual([digestOf('abc').slice(7), 'x'].sort());
  });

  it('removes the temp file when the content is wrong or the temp file exists', async () => {
    const dir = await tempDir();
    const temp = path.join(dir, tempName());
    await expect(writeVerifiedTemp(Buffer.from('y'), temp, { expected: { digest: digestOf('x') } })).rejects.toMatchObject({ code: 'IMAGE_DIGEST_MISMATCH' });
    await expect(writeVerifiedTemp(Readable.from([Buffer.from('xx')]), temp, { expected: { digest: digestOf('x'), size: 1 } })).rejects.toMatchObject({ code: 'IMAGE_SIZE_MISMATCH' });
    expect(await readdir(dir)).toEqual([]);
    await writeVerifiedTemp(Buffer.from('1'), temp);
    await expect(writeVerifiedTemp(Buffer.from('2'), temp)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(temp, 'utf8')).toBe('1');
    expect(tempName('p-')).toMatch(new RegExp(`^p-${process.pid}-[0-9a-f]{12}$`));
  });
});
