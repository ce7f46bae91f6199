/**
 * zstd through the `zstd` command-line tool (Node 20's zlib has no zstd), as a streaming Duplex.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Duplex } from 'node:stream';
import { CompressionUnavailableError, CorruptLayerError } from './errors.js';

let availability: Promise<boolean> | undefined;

/** Whether a working `zstd` executable is on the PATH (checked once per process). */
export function isZstdAvailable(): Promise<boolean> {
  availability ??= new Promise((resolve) => {
    const child = spawn('zstd', ['--version'], { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
  return availability;
}

export async function assertZstdAvailable(): Promise<void> {
  if (!(await isZstdAvailable())) throw new CompressionUnavailableError('zstd', "the 'zstd' command is not installed (Debian package 'zstd')");
}

/** zstd compression at `level` (1–22). Single-threaded so the output is the same on every machine. */
export function createZstdCompressor(level: number): Duplex {
  return new ZstdProcessStream(['-q', '-c', '-T1', ...(level > 19 ? ['--ultra'] : []), `-${level}`], (detail) => new Error(`zstd failed: ${detail}`));
}

export function createZstdDecompressor(): Duplex {
  return new ZstdProcessStream(['-q', '-d', '-c'], (detail) => new CorruptLayerError(`zstd could not decompress the layer: ${detail}`));
}

/**
 * Writes go to the child's stdin and its stdout is read back with backpressure. The readable side ends only
 * after stdout ended and the process exited with 0, so a failure can never look like a short, complete stream.
 */
class ZstdProcessStream extends Duplex {
  private readonly child: ChildProcessWithoutNullStreams;
  private stdoutEnded = false;
  private exitCode: number | null | undefined;
  private stderr = '';

  private readonly failure: (detail: string) => Error;

  constructor(args: string[], failure: (detail: string) => Error) {
    super();
    this.failure = failure;
    this.child = spawn('zstd', args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ZSTD_CLEVEL: undefined, ZSTD_NBTHREADS: undefined } });
    this.child.on('error', (error) => {
      const unavailable = (error as NodeJS.ErrnoException).code === 'ENOENT';
      this.destroy(unavailable ? new CompressionUnavailableError('zstd', "the 'zstd' command is not installed (Debian package 'zstd')") : error);
    });
    this.child.stdin.on('error', (error) => this.destroy(error));
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (text: string) => {
      if (this.stderr.length < 4096) this.stderr += text;
    });
    this.child.stdout.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) this.child.stdout.pause();
    });
    this.child.stdout.on('end', () => {
      this.stdoutEnded = true;
      this.finishIfDone();
    });
    this.child.on('close', (code) => {
      this.exitCode = code;
      this.finishIfDone();
    });
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.child.stdin.write(chunk)) callback();
    else this.child.stdin.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.child.stdin.end(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.exitCode === undefined) this.child.kill();
    callback(error);
  }

  private finishIfDone(): void {
    if (!this.stdoutEnded || this.exitCode === undefined) return;
    if (this.exitCode === 0) this.push(null);
    else this.destroy(this.failure(`exit code ${this.exitCode}: ${this.stderr.trim()}`));
  }
}
