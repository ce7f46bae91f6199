import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Digester, parseDigest, verificationError, type DigestAlgorithm, type ExpectedContent } from './digest.js';
import { BlobVerificationError, ImageErrorCode } from './errors.js';

export interface VerifiedWriteOptions {
  /** The digest (and size) the content must have; without it, the content is only hashed. */
  expected?: ExpectedContent;
  /** Hash algorithm when no digest is expected (default sha256). */
  algorithm?: DigestAlgorithm;
  /** fsync the file before it is renamed into place (default true). */
  durable?: boolean;
  /** What the content is, for messages. */
  what?: string;
}

export interface WrittenContent {
  digest: string;
  size: number;
}

export type BlobContent = Readable | Uint8Array | AsyncIterable<Uint8Array>;

/** A unique temp file name: `<prefix><pid>-<random>`. */
export function tempName(prefix = '.tmp-'): string {
  return `${prefix}${process.pid}-${randomBytes(6).toString('hex')}`;
}

/**
 * Writes content to `tempPath` (which must not exist) while hashing it, and checks digest and size. Returns the
 * digest and size with the verified temp file in place; on any failure the temp file is removed. Content past the
 * expected size stops the write at once.
 */
export async function writeVerifiedTemp(content: BlobContent, tempPath: string, options: VerifiedWriteOptions = {}): Promise<WrittenContent> {
  const { expected } = options;
  const what = options.what ?? (expected ? `blob ${expected.digest}` : 'blob');
  const digester = new Digester(expected ? parseDigest(expected.digest).algorithm : (options.algorithm ?? 'sha256'));
  const handle = await open(tempPath, 'wx', 0o644);
  let ok = false;
  try {
    try {
      if (content instanceof Uint8Array) {
        digester.update(content);
        await handle.write(content);
      } else {
        for await (const chunk of content as AsyncIterable<Uint8Array>) {
          digester.update(chunk);
          if (expected?.size !== undefined && digester.size > expected.size) {
            if (typeof (content as Readable).destroy === 'function') (content as Readable).destroy();
            throw new BlobVerificationError(ImageErrorCode.SizeMismatch, what, String(expected.size), `more than ${expected.size} bytes`);
          }
          await handle.write(chunk);
        }
      }
      if (options.durable !== false) await handle.sync();
    } finally {
      await handle.close();
    }
    let written: WrittenContent;
    if (expected) {
      const error = verificationError(expected, digester, what);
      if (error) throw error;
      written = { digest: expected.digest, size: digester.size };
    } else {
      written = { digest: digester.digest(), size: digester.size };
    }
    ok = true;
    return written;
  } finally {
    if (!ok) await rm(tempPath, { force: true });
  }
}

/**
 * writeVerifiedTemp, then a rename to `target` (a path, or a function of the digest): the target either does not
 * exist or holds verified content.
 */
export async function writeVerifiedFile(
  content: BlobContent,
  target: string | ((written: WrittenContent) => string),
  tempPath: string,
  options: VerifiedWriteOptions = {},
): Promise<WrittenContent> {
  const written = await writeVerifiedTemp(content, tempPath, options);
  try {
    await rename(tempPath, typeof target === 'string' ? target : target(written));
  } catch (error) {
    await rm(tempPath, { force: true });
    throw error;
  }
  return written;
}
