import { createReadStream } from 'node:fs';
import type { ContentStore } from '../cache/index.js';
import type { Descriptor } from '../image/index.js';
import type { RegistryClient } from './client.js';
import { RegistryError, RegistryErrorCode } from './errors.js';
import { formatReference, type RegistryReference } from './reference.js';
import { isTransientError, retrying } from './retry.js';
import { pullScope } from './scopes.js';

/**
 * Pushing one blob: HEAD first (nothing to do when the registry has it), then a cross-repository mount when a
 * source repository on the same registry is known, else an upload session: one monolithic PUT for blobs up to
 * `monolithicMaxSize`, PATCH chunks of `chunkSize` then a closing PUT for larger ones. Bodies are streamed from the
 * store's file. An upload broken by a network failure starts over in a new session (a half-sent chunk leaves the
 * old one in an unknown state), up to the retry policy's retries.
 */
export interface BlobUploadOptions {
  /** Blobs up to this size go in one PUT (default 64 MiB). */
  monolithicMaxSize?: number;
  /** PATCH chunk size for larger blobs (default 32 MiB). */
  chunkSize?: number;
  /** A repository on the same registry that may hold the blob. */
  mountFrom?: RegistryReference;
}

export type BlobPushAction = 'exists' | 'mounted' | 'uploaded';

const defaultMonolithicMaxSize = 64 * 1024 * 1024;
const defaultChunkSize = 32 * 1024 * 1024;
/**
 * Read size of upload bodies. fs streams read 64 KiB at a time by default, and each read costs the main thread a
 * threadpool round trip and fetch a chunk copy: with 1 MiB reads a 200 MB push over loopback takes a third of the CPU.
 */
const uploadReadSize = 1024 * 1024;

/** Whether the repository has the blob (HEAD). */
export async function blobExists(client: RegistryClient, reference: RegistryReference, digest: string, push = false): Promise<boolean> {
  const request = client.requestFor(reference, push);
  const response = await client.transport.request({ ...request, method: 'HEAD', path: `/v2/${reference.repository}/blobs/${digest}` });
  if (response.status === 200) return true;
  if (response.status === 404) return false;
  throw await client.transport.statusError(request, response, `checking blob ${digest} in ${formatReference(reference)}`);
}

export async function pushBlob(client: RegistryClient, target: RegistryReference, descriptor: Descriptor, store: ContentStore, options: BlobUploadOptions = {}): Promise<BlobPushAction> {
  const localSize = await store.blobSize(descriptor.digest);
  if (localSize === undefined) {
    await store.openBlob(descriptor.digest); // throws the store's own "not in the store" error
  }
  if (localSize !== descriptor.size) {
    throw new RegistryError(RegistryErrorCode.Protocol, `cannot push blob ${descriptor.digest}: the store holds ${localSize} bytes, the descriptor says ${descriptor.size}`, {
      registry: target.registry,
      reference: formatReference(target),
    });
  }
  if (await blobExists(client, target, descriptor.digest, true)) return 'exists';
  return retrying(client.transport.retryPolicy, async (retry) => {
    try {
      return await uploadOnce(client, target, descriptor, store, options);
    } catch (error) {
      const transient = isTransientError(error) || (error instanceof RegistryError && error.code === RegistryErrorCode.Unreachable);
      if (retry && transient) return retry();
      throw error;
    }
  });
}

async function uploadOnce(client: RegistryClient, target: RegistryReference, descriptor: Descriptor, store: ContentStore, options: BlobUploadOptions): Promise<BlobPushAction> {
  const what = `blob ${descriptor.digest} to ${formatReference(target)}`;
  const mountFrom = options.mountFrom && options.mountFrom.registry === target.registry && options.mountFrom.repository !== target.repository ? options.mountFrom : undefined;
  const request = client.requestFor(target, true, mountFrom ? [pullScope(mountFrom)] : []);
  const transport = client.transport;

  const start = mountFrom
    ? `/v2/${target.repository}/blobs/uploads/?${new URLSearchParams({ mount: descriptor.digest, from: mountFrom.repository })}`
    : `/v2/${target.repository}/blobs/uploads/`;
  const started = await transport.request({ ...request, method: 'POST', path: start, headers: { 'Content-Length': '0' } });
  if (mountFrom && started.status === 201) {
    await started.body?.cancel();
    return 'mounted';
  }
  if (started.status !== 202) throw await transport.statusError(request, started, `starting the upload of ${what}`);
  await started.body?.cancel();
  let location = await uploadLocation(client, target, started);

  const file = store.blobPath(descriptor.digest);
  const monolithicMaxSize = options.monolithicMaxSize ?? defaultMonolithicMaxSize;
  if (descriptor.size > monolithicMaxSize) {
    const chunkSize = Math.max(1, options.chunkSize ?? defaultChunkSize);
    for (let offset = 0; offset < descriptor.size; offset += chunkSize) {
      const end = Math.min(descriptor.size, offset + chunkSize) - 1;
      const response = await transport.request({
        ...request,
        method: 'PATCH',
        path: location,
        retry: false,
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${offset}-${end}`, 'Content-Length': String(end - offset + 1) },
        body: () => createReadStream(file, { start: offset, end, highWaterMark: uploadReadSize }),
      });
      if (response.status !== 202) throw await transport.statusError(request, response, `uploading ${what} (bytes ${offset}-${end})`);
      await response.body?.cancel();
      location = await uploadLocation(client, target, response);
    }
  }
  const url = new URL(location);
  url.searchParams.set('digest', descriptor.digest);
  const monolithic = descriptor.size <= monolithicMaxSize;
  const finished = await transport.request({
    ...request,
    method: 'PUT',
    path: url.href,
    retry: false,
    headers: monolithic ? { 'Content-Type': 'application/octet-stream', 'Content-Length': String(descriptor.size) } : { 'Content-Length': '0' },
    body: monolithic ? () => createReadStream(file, { highWaterMark: uploadReadSize }) : undefined,
  });
  if (finished.status !== 201) throw await transport.statusError(request, finished, `completing the upload of ${what}`);
  await finished.body?.cancel();
  const stated = finished.headers.get('docker-content-digest');
  if (stated !== null && stated !== descriptor.digest) {
    throw new RegistryError(RegistryErrorCode.DigestMismatch, `registry ${target.registry} stored ${what} as ${stated}`, { registry: target.registry, reference: formatReference(target) });
  }
  return 'uploaded';
}

/** The absolute URL of an upload session's next request (Location may be relative to the registry). */
async function uploadLocation(client: RegistryClient, target: RegistryReference, response: Response): Promise<string> {
  const location = response.headers.get('location');
  if (!location) {
    throw new RegistryError(RegistryErrorCode.Protocol, `registry ${target.registry} started an upload to ${formatReference(target)} without a Location`, {
      registry: target.registry,
      reference: formatReference(target),
    });
  }
  return new URL(location, await client.transport.baseUrl(target.registry)).href;
}
