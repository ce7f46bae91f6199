/**
 * Pull-based reading of exact byte counts from an async stream of chunks, so the tar reader can ask for
 * "512 bytes" or "the next n bytes as they come" while the producer's backpressure is kept.
 */
import { CorruptLayerError } from './errors.js';

export class ChunkReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private ended = false;

  constructor(chunks: AsyncIterable<Uint8Array>) {
    this.iterator = chunks[Symbol.asyncIterator]();
  }

  /** Exactly `count` bytes, or null when the stream ended cleanly before the first of them. */
  async readExactly(count: number): Promise<Buffer | null> {
    while (this.pendingBytes < count && (await this.fill()));
    if (this.pendingBytes === 0 && count > 0) return null;
    if (this.pendingBytes < count) throw new CorruptLayerError(`unexpected end of data (wanted ${count} bytes, ${this.pendingBytes} left)`);
    return this.take(count);
  }

  /** The next `count` bytes as chunks of whatever size arrives. */
  async *stream(count: number): AsyncGenerator<Buffer, void, undefined> {
    let remaining = count;
    while (remaining > 0) {
      if (this.pendingBytes === 0 && !(await this.fill())) {
        throw new CorruptLayerError(`unexpected end of data (${remaining} bytes of an entry missing)`);
      }
      const chunk = this.take(Math.min(remaining, this.pending[0].length));
      remaining -= chunk.length;
      yield chunk;
    }
  }

  async skip(count: number): Promise<void> {
    for await (const chunk of this.stream(count)) void chunk;
  }

  /** Reads and discards everything left; returns how many bytes that was. */
  async drain(): Promise<number> {
    let drained = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    while (await this.fill()) {
      drained += this.pendingBytes;
      this.pending = [];
      this.pendingBytes = 0;
    }
    return drained;
  }

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.iterator.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    if (chunk.length > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
    }
    return true;
  }

  private take(count: number): Buffer {
    const first = this.pending[0];
    if (first.length === count) {
      this.pending.shift();
      this.pendingBytes -= count;
      return first;
    }
    if (first.length > count) {
      this.pending[0] = first.subarray(count);
      this.pendingBytes -= count;
      return first.subarray(0, count);
    }
    const parts: Buffer[] = [];
    let needed = count;
    while (needed > 0) {
      const head = this.pending[0];
      if (head.length <= needed) {
        parts.push(head);
        this.pending.shift();
        needed -= head.length;
      } else {
        parts.push(head.subarray(0, needed));
        this.pending[0] = head.subarray(needed);
        needed = 0;
      }
    }
    this.pendingBytes -= count;
    return Buffer.concat(parts, count);
  }
}
