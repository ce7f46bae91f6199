import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ContentStore } from '../../src/cache/index.js';
import { digestOf, readBlob } from '../../src/image/index.js';
import { tempDirs } from '../fixtures/temp-dir.js';

const tempDir = tempDirs('store-blobs');

async function openStore(): Promise<ContentStore> {
  return ContentStore.open({ root: path.join(await tempDir(), 'store') });
}

async function read(store: ContentStore, digest: string): Promise<string> {
  return (await store.readBlob(digest)).toString();
}

describe('store blobs', () => {
  it('stores verified blobs under blobs/sha256/<hex> and nothing else', async () => {
    const store = await openStore();
    const hello = digestOf('hello');
    expect(await store.putBlob(Buffer.from('hello'))).toEqual({ digest: hello, size: 5 });
    expect(await store.hasBlob(hello)).toBe(true);
    expect(await store.blobSize(hello)).toBe(5);
    expect(store.blobPath(hello)).toBe(path.join(store.root, 'blobs', 'sha256', hello.slice(7)));
    expect(await read(store, hello)).toBe('hello');
    expect(await store.putBlob(Readable.from([Buffer.from('wor'), Buffer.from('ld')]), { digest: digestOf('world'), size: 5 })).toEqual({ digest: digestOf('world'), size: 5 });
    // Already there: not written again, the stream is not needed.
    expect(await store.putBlob(Readable.from([Buffer.from('ignored')]), { digest: hello })).toEqual({ digest: hello, size: 5 });
    expect(await readdir(path.join(store.root, 'tmp'))).toEqual([]);
    expect((await readdir(store.root)).sort()).toEqual(['blobs', 'leases', 'refs', 'snapshots', 'store-version', 'tmp']);
    await store.close();
    expect(await readdir(path.join(store.root, 'leases'))).toEqual([]);
  });

  it('refuses content that does not match, leaving no temp file and no blob', async () => {
    const store = await openStore();
    const expected = { digest: digestOf('good'), size: 4 };
    await expect(store.putBlob(Buffer.from('bad!'), expected)).rejects.toMatchObject({ code: 'IMAGE_DIGEST_MISMATCH' });
    await expect(store.putBlob(Buffer.from('good but long'), expected)).rejects.toMatchObject({ code: 'IMAGE_SIZE_MISMATCH' });
    await expect(store.putBlob(Readable.from([Buffer.from('goo')]), expected)).rejects.toMatchObject({ code: 'IMAGE_SIZE_MISMATCH' });
    expect(await store.hasBlob(expected.digest)).toBe(false);
    expect(await readdir(path.join(store.root, 'tmp'))).toEqual([]);
    await expect(store.openBlob(expected.digest)).rejects.toMatchObject({ code: 'STORE_BLOB_NOT_FOUND' });
    await store.close();
  });

  it('reads whole blobs with the errors of a stream read: missing, past the limit, corrupt, not a file', async () => {
    const store = await openStore();
    const doc = digestOf('{"a":1}');
    await store.putBlob(Buffer.from('{"a":1}'));
    expect(await read(store, doc)).toBe('{"a":1}');
    const missing = digestOf('missing');
    await expect(store.readBlob(missing)).rejects.toMatchObject({ code: 'STORE_BLOB_NOT_FOUND', message: `blob ${missing} is not in the store ${store.root}` });
    await expect(store.readBlob(doc, 6)).rejects.toMatchObject({ code: 'IMAGE_BLOB_TOO_LARGE', message: `blob ${doc} is larger than 6 bytes, the limit for JSON documents` });
    await expect(store.readBlob('sha256:nothex')).rejects.toMatchObject({ code: 'IMAGE_INVALID_DIGEST' });

    // Through the generic reader, which verifies what the store's bounded read returns.
    const descriptor = { mediaType: 'application/json', digest: doc, size: 7 };
    expect((await readBlob(store, descriptor)).toString()).toBe('{"a":1}');
    await expect(readBlob(store, { ...descriptor, digest: missing })).rejects.toMatchObject({ code: 'STORE_BLOB_NOT_FOUND' });
    await writeFile(store.blobPath(doc), '{"a":2}');
    await expect(readBlob(store, descriptor)).rejects.toMatchObject({ code: 'IMAGE_DIGEST_MISMATCH' });

    // Nothing the store writes, but read as before: through a stream, which fails on a directory.
    const odd = digestOf('odd');
    await mkdir(store.blobPath(odd));
    await expect(store.readBlob(odd)).rejects.toMatchObject({ code: 'EISDIR' });
    await store.close();
  });

  it('takes pushed bytes through a blob writer', async () => {
    const store = await openStore();
    const writer = await store.createBlobWriter();
    writer.stream.write('layer ');
    writer.stream.write('bytes');
    expect(await writer.commit()).toEqual({ digest: digestOf('layer bytes'), size: 11 });
    const aborted = await store.createBlobWriter();
    aborted.stream.write('partial');
    await aborted.abort();
    expect(await store.hasBlob(digestOf('partial'))).toBe(false);
    expect(await readdir(path.join(store.root, 'tmp'))).toEqual([]);
    await store.close();
  });
});
