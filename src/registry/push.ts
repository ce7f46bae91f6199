import type { ContentStore } from '../cache/index.js';
import { documentKind, parseIndex, parseJson, parseManifest, type Descriptor } from '../image/index.js';
import { pushBlob, type BlobPushAction, type BlobUploadOptions } from './blob-upload.js';
import type { RegistryClient } from './client.js';
import { RegistryError, RegistryErrorCode } from './errors.js';
import { forEachLimited } from './limit.js';
import { formatReference, parseReference, repositoryName, type RegistryReference } from './reference.js';

export interface PushOptions extends Omit<BlobUploadOptions, 'mountFrom'> {
  store: ContentStore;
  client: RegistryClient;
  /** Where to push: one reference or several (tags in one or more repositories). */
  references: string | RegistryReference | ReadonlyArray<string | RegistryReference>;
  /** The manifest or index to push, as held in the store (with everything it refers to). */
  descriptor: Descriptor;
  /** A repository that may hold the blobs already (the base image's): blobs are mounted from it when on the same registry. */
  mountFrom?: string | RegistryReference;
  /** Blobs uploaded at once (default 3). */
  concurrency?: number;
  onProgress?: (event: PushEvent) => void;
}

export type PushEvent =
  | { type: 'blob'; repository: string; digest: string; size: number; action: BlobPushAction }
  | { type: 'manifest'; reference: string; digest: string };

export interface PushResult {
  /** The digest of the pushed manifest or index: the local one. */
  digest: string;
  /** Every reference pushed, in full form with the digest (`host/repo:tag@sha256:...`). */
  references: string[];
}

/**
 * Pushes an image from the store: per repository, its blobs (see pushBlob: skipped when present, mounted when
 * possible, else uploaded), the manifests of an index by digest, then the manifest or index under each tag. A
 * repository pushed earlier in the same call is the mount source for the next ones on the same registry.
 */
export async function pushImage(options: PushOptions): Promise<PushResult> {
  const { store, client, descriptor } = options;
  const references = (Array.isArray(options.references) ? options.references : [options.references]).map((r: string | RegistryReference) =>
    typeof r === 'string' ? parseReference(r) : r,
  );
  if (references.length === 0) throw new RegistryError(RegistryErrorCode.InvalidReference, 'pushImage needs at least one reference');
  for (const ref of references) {
    if (ref.digest !== undefined && ref.digest !== descriptor.digest) {
      throw new RegistryError(RegistryErrorCode.DigestMismatch, `cannot push ${descriptor.digest} as ${formatReference(ref)}: the reference names another digest`, {
        registry: ref.registry,
        reference: formatReference(ref),
      });
    }
  }
  const report = options.onProgress ?? (() => undefined);
  const byRepository = new Map<string, RegistryReference[]>();
  for (const ref of references) byRepository.set(repositoryName(ref), [...(byRepository.get(repositoryName(ref)) ?? []), ref]);

  const pushedRepositories: RegistryReference[] = [];
  const explicitMount = options.mountFrom === undefined ? undefined : typeof options.mountFrom === 'string' ? parseReference(options.mountFrom) : options.mountFrom;
  const pushed: string[] = [];
  const bytes = await store.readBlob(descriptor.digest);
  for (const refs of byRepository.values()) {
    const target = refs[0];
    const mountFrom = pushedRepositories.find((done) => done.registry === target.registry) ?? explicitMount;
    const blobOptions: BlobUploadOptions = { monolithicMaxSize: options.monolithicMaxSize, chunkSize: options.chunkSize, mountFrom };
    await pushTree(options, target, descriptor, blobOptions, report, true);
    for (const ref of refs) {
      await client.putManifest(ref, bytes, descriptor.mediaType, descriptor.digest);
      report({ type: 'manifest', reference: formatReference(ref), digest: descriptor.digest });
      pushed.push(`${repositoryName(ref)}${ref.tag === undefined ? '' : `:${ref.tag}`}@${descriptor.digest}`);
    }
    pushedRepositories.push(target);
  }
  return { digest: descriptor.digest, references: pushed };
}

/** Pushes what a manifest or index refers to; the manifests of an index are pushed by digest. */
async function pushTree(options: PushOptions, target: RegistryReference, descriptor: Descriptor, blobOptions: BlobUploadOptions, report: (event: PushEvent) => void, top: boolean): Promise<void> {
  const { store, client } = options;
  const bytes = await store.readBlob(descriptor.digest);
  const kind = documentKind(descriptor.mediaType, parseJson(bytes, `${descriptor.digest}`));
  if (kind === 'index') {
    const index = parseIndex(bytes, `index ${descriptor.digest}`);
    for (const child of index.manifests) {
      const childKind = documentKind(child.mediaType);
      if (childKind !== 'index' && childKind !== 'manifest') {
        await pushOneBlob(options, target, child, blobOptions, report);
        continue;
      }
      await pushTree(options, target, child, blobOptions, report, false);
    }
  } else if (kind === 'manifest') {
    const manifest = parseManifest(bytes, `manifest ${descriptor.digest}`);
    const blobs = [manifest.config, ...manifest.layers].filter((blob, i, all) => all.findIndex((other) => other.digest === blob.digest) === i);
    await forEachLimited(blobs, options.concurrency ?? 3, (blob) => pushOneBlob(options, target, blob, blobOptions, report));
  } else {
    throw new RegistryError(RegistryErrorCode.Protocol, `cannot push ${descriptor.digest}: it is not an image manifest or index (${descriptor.mediaType})`);
  }
  if (!top) {
    await client.putManifest({ registry: target.registry, repository: target.repository, digest: descriptor.digest }, bytes, descriptor.mediaType, descriptor.digest);
  }
}

async function pushOneBlob(options: PushOptions, target: RegistryReference, blob: Descriptor, blobOptions: BlobUploadOptions, report: (event: PushEvent) => void): Promise<void> {
  const action = await pushBlob(options.client, target, blob, options.store, blobOptions);
  report({ type: 'blob', repository: repositoryName(target), digest: blob.digest, size: blob.size, action });
}
