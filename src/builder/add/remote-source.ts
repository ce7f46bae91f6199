/**
 * ADD of an http(s) URL, as BuildKit's HTTP source and Dockerfile frontend do it: the file is named after the
 * URL path's last segment, verified against `--checksum` when one is given, streamed to disk while hashed.
 */
import { createHash, type Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { StepErrorCode, StepProblem } from '../step-errors.js';
import { ChecksumMismatchError, DownloadFailedError, InvalidChecksumError } from './errors.js';

export interface ExpectedDigest {
  algorithm: 'sha256' | 'sha384' | 'sha512';
  hex: string;
  /** As written: `sha256:...`. */
  text: string;
}

export interface DownloadedFile {
  file: string;
  /** `sha256:<hex>` of the content. */
  digest: string;
  /** Seconds from the Last-Modified header, if the server sent a valid one. */
  lastModified: number | undefined;
}

const hexLength = { sha256: 64, sha384: 96, sha512: 128 } as const;

/** The name BuildKit's Dockerfile frontend gives a downloaded file when there is no better one. */
export const UNNAMED_FILE = '__unnamed__';

export function hasUrlScheme(source: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source);
}

export function isHttpUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** Sources BuildKit reads as git repositories: `git@host:repo`, `git://`, `ssh://`, or an http(s) URL of a `.git` path. */
export function isGitSource(source: string): boolean {
  if (/^git@[^:]+:/.test(source) || /^(git|ssh):\/\//i.test(source)) return true;
  if (!isHttpUrl(source)) return false;
  const pathname = parseUrl(source)?.pathname ?? '';
  return /\.git\/?$/.test(pathname);
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** The URL as it may be shown: without `user:password@`. */
export function redactUrl(url: string): string {
  const parsed = parseUrl(url);
  if (!parsed) return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
  parsed.username = '';
  parsed.password = '';
  return parsed.href;
}

/** The last segment of the URL's (decoded) path, as Go's path.Base gives it; `__unnamed__` when there is none. */
export function remoteFileName(url: string): string {
  const parsed = parseUrl(url);
  if (!parsed) return UNNAMED_FILE;
  let decoded: string;
  try {
    decoded = decodeURIComponent(parsed.pathname);
  } catch {
    decoded = parsed.pathname;
  }
  const base = decoded.replace(/\/+$/, '').split('/').pop() ?? '';
  return base === '' || base === '.' || base === '..' ? UNNAMED_FILE : base;
}

/** `--checksum=<algorithm>:<hex>`, as go-digest parses it (sha256, sha384, sha512; lowercase hex). */
export function parseChecksum(text: string): ExpectedDigest {
  const match = /^(sha256|sha384|sha512):([0-9a-f]+)$/.exec(text);
  if (!match) throw new InvalidChecksumError(`invalid checksum '${text}': expected sha256:, sha384: or sha512: and the digest in lowercase hex`);
  const algorithm = match[1] as ExpectedDigest['algorithm'];
  if (match[2].length !== hexLength[algorithm]) throw new InvalidChecksumError(`invalid checksum '${text}': a ${algorithm} digest has ${hexLength[algorithm]} hex digits`);
  return { algorithm, hex: match[2], text };
}

/** The request for `url`: credentials in it become a Basic Authorization header, as Go's http client sends them. */
function requestFor(url: string): { href: string; headers: Record<string, string> } {
  const parsed = new URL(url);
  const headers: Record<string, string> = { 'user-agent': 'build-image' };
  if (parsed.username !== '' || parsed.password !== '') {
    const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    parsed.username = '';
    parsed.password = '';
  }
  return { href: parsed.href, headers };
}

/**
 * Downloads `url` into `file` (created 0600, must not exist), hashing while writing. With `expected`, a
 * different digest removes the file and throws ChecksumMismatchError.
 */
export async function downloadUrl(url: string, file: string, options: { expected?: ExpectedDigest; signal?: AbortSignal }): Promise<DownloadedFile> {
  const shown = redactUrl(url);
  const { href, headers } = requestFor(url);
  let response: Response;
  try {
    response = await fetch(href, { headers, redirect: 'follow', signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) throw new StepProblem(StepErrorCode.Aborted, 'the build was cancelled');
    const cause = (error as { cause?: unknown }).cause;
    throw new DownloadFailedError(shown, cause instanceof Error ? cause.message : (error as Error).message, undefined, { cause: error });
  }
  if (response.status < 200 || response.status >= 300 || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    throw new DownloadFailedError(shown, `the server answered ${response.status} ${response.statusText}`.trim(), response.status);
  }

  const sha256 = createHash('sha256');
  const checked: Hash | undefined = options.expected && options.expected.algorithm !== 'sha256' ? createHash(options.expected.algorithm) : undefined;
  const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        sha256.update(chunk);
        checked?.update(chunk);
        for (let offset = 0; offset < chunk.length; ) offset += (await handle.write(chunk, offset)).bytesWritten;
      }
    } finally {
      await handle.close();
    }
    const digest = `sha256:${sha256.digest('hex')}`;
    if (options.expected) {
      const actual = checked ? `${options.expected.algorithm}:${checked.digest('hex')}` : digest;
      if (actual !== options.expected.text) throw new ChecksumMismatchError(shown, options.expected.text, actual);
    }
    return { file, digest, lastModified: lastModifiedSeconds(response.headers.get('last-modified')) };
  } catch (error) {
    await rm(file, { force: true });
    if (options.signal?.aborted) throw new StepProblem(StepErrorCode.Aborted, 'the build was cancelled');
    if (error instanceof ChecksumMismatchError || !(error instanceof TypeError)) throw error;
    throw new DownloadFailedError(shown, error.message, undefined, { cause: error });
  }
}

function lastModifiedSeconds(header: string | null): number | undefined {
  if (header === null) return undefined;
  const time = Date.parse(header);
  return Number.isNaN(time) ? undefined : Math.floor(time / 1000);
}
