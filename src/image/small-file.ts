import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { blobTooLargeError } from './digest.js';

// O_NONBLOCK so that opening a FIFO does not wait for a writer (it is then refused as not a regular file); it
// changes nothing for regular files.
const openFlags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * A whole regular file of at most `maxSize` bytes, read synchronously (open, fstat, read, close): for the JSON
 * documents of the content store and of image layouts, a few KB, where every step of a stream or of an asynchronous
 * read would wait longer on the thread pool than the whole synchronous read takes. Layers are read through streams.
 *
 * Returns undefined when `file` is not a regular file (a directory, FIFO or device: its size says nothing about
 * what a read returns). Throws the errors of open (ENOENT...) as they are, and past `maxSize` bytes the error of
 * readAll (IMAGE_BLOB_TOO_LARGE, naming the file as `what`).
 */
export function readSmallFile(file: string, maxSize: number, what: string): Buffer | undefined {
  const fd = openSync(file, openFlags);
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return undefined;
    if (info.size > maxSize) throw blobTooLargeError(what, maxSize);
    const bytes = readToEnd(fd, info.size, maxSize);
    if (bytes === undefined) throw blobTooLargeError(what, maxSize);
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads from `fd` until the end of the file, which may have moved since fstat said `expectedSize`; undefined past
 * `maxSize` bytes. The buffer has room for one byte more than expected, so that the read that finds the end (or
 * more bytes) is the only extra one.
 */
function readToEnd(fd: number, expectedSize: number, maxSize: number): Buffer | undefined {
  let buffer = Buffer.allocUnsafe(Math.min(expectedSize, maxSize) + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > maxSize) return undefined;
      const larger = Buffer.allocUnsafe(Math.min(buffer.length * 2, maxSize + 1));
      buffer.copy(larger, 0, 0, length);
      buffer = larger;
    }
    const read = readSync(fd, buffer, length, buffer.length - length, null);
    if (read === 0) break;
    length += read;
  }
  return buffer.subarray(0, length);
}
