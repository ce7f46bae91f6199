import { Readable } from 'node:stream';
import type { ContentStore } from '../cache/index.js';
import {
  defaultPlatform,
  documentKind,
  formatPlatform,
  ImageError,
  ImageErrorCode,
  maxDocumentSize,
  parseImageConfig,
  parseManifest,
  selectManifest,
  type BlobSource,
  type Descriptor,
  type ImageConfig,
  type ImageManifest,
  type Platform,
} from '../image/index.js';
import { downloadBlob } from './blob-download.js';
import type { RegistryClient } from './client.js';
import { RegistryError, RegistryErrorCode } from './errors.js';
import { forEachLimited } from './limit.js';
import { formatReference, parseReference, type RegistryReference } from './reference.js';
import { readResolution, recordResolution, type Resolution } from './resolutions.js';

export interface PullOptions {
  store: ContentStore;
  client: RegistryClient;
  /** The platform to choose from an index (default: linux on this machine's architecture). */
  platform?: Platform;
  /** Blobs downloaded at once (default 3). */
  concurrency?: number;
  /**
   * Reuse the recorded resolution of a tag when it is at most this old (default 0: always ask the registry).
   * A reference with a digest never needs one.
   */
  resolutionMaxAgeMs?: number;
  onProgress?: (event: PullEvent) => void;
}

export type PullEvent =
  | { type: 'resolved'; reference: string; root: Descriptor; manifest: Descriptor; cached: boolean }
  | { type: 'blob'; digest: string; size: number; action: 'present' | 'downloaded' };

export interface PulledImage {
  /** The normalised reference. */
  reference: RegistryReference;
  /** What the reference named: an index or the manifest itself. */
  root: Descriptor;
  manifestDescriptor: Descriptor;
  manifest: ImageManifest;
  configDescriptor: Descriptor;
  config: ImageConfig;
  layers: Descriptor[];
  /** The resolution recorded (or reused). */
  resolution: Resolution;
  /** True when the recorded resolution was reused without asking the registry. */
  resolutionReused: boolean;
}

/**
 * Pulls an image into the content store: resolves the reference (or reuses a recent resolution), chooses the
 * platform's manifest from an index, and downloads the index, manifest, config and layers the store does not hold
 * yet, all verified. The store keeps them under its lease; keeping them longer (a root) is the caller's choice.
 */
export async function pullImage(reference: string | RegistryReference, options: PullOptions): Promise<PulledImage> {
  const ref = typeof reference === 'string' ? parseReference(reference) : reference;
  const text = formatReference(ref);
  const { store, client } = options;
  const platform = options.platform ?? defaultPlatform();
  const report = options.onProgress ?? (() => undefined);

  let resolution: Resolution | undefined;
  let reused = false;
  if (ref.digest === undefined && (options.resolutionMaxAgeMs ?? 0) > 0) {
    resolution = await readResolution(store.root, text, platform, options.resolutionMaxAgeMs);
    reused = resolution !== undefined && (await store.hasBlob(resolution.manifest.digest));
  }

  let root: Descriptor;
  let manifestDescriptor: Descriptor;
  if (resolution && reused) {
    root = resolution.root;
    manifestDescriptor = resolution.manifest;
  } else {
    const pinned = resolution ? { ...ref, digest: resolution.root.digest } : ref;
    const fetched = await client.getManifest(pinned);
    root = fetched.descriptor;
    await store.putBlob(fetched.bytes, { digest: root.digest, size: root.size });
    manifestDescriptor = documentKind(root.mediaType) === 'index' ? await chooseManifest(client, ref, root, store, platform, text) : root;
  }
  if (!(await store.hasBlob(manifestDescriptor.digest))) {
    const fetched = await client.getManifest({ ...ref, digest: manifestDescriptor.digest });
    await store.putBlob(fetched.bytes, { digest: manifestDescriptor.digest, size: manifestDescriptor.size });
  }
  report({ type: 'resolved', reference: text, root, manifest: manifestDescriptor, cached: reused });

  const manifest = parseManifest(await store.readBlob(manifestDescriptor.digest), `manifest ${manifestDescriptor.digest} of ${text}`);
  if (manifest.config.size > maxDocumentSize) {
    // Checked before the download: the config is read into memory, and a registry may claim any size.
    throw new RegistryError(RegistryErrorCode.Protocol, `config ${manifest.config.digest} of ${text} is ${manifest.config.size} bytes, more than the ${maxDocumentSize} accepted for a document`, {
      registry: ref.registry,
      reference: text,
    });
  }
  const blobs = [manifest.config, ...manifest.layers.filter((layer, i, all) => all.findIndex((other) => other.digest === layer.digest) === i)];
  await forEachLimited(blobs, options.concurrency ?? 3, async (descriptor) => {
    if ((await store.blobSize(descriptor.digest)) === descriptor.size) {
      await store.putBlob(Readable.from([]), { digest: descriptor.digest, size: descriptor.size }); // leases the blob we rely on
      report({ type: 'blob', digest: descriptor.digest, size: descriptor.size, action: 'present' });
      return;
    }
    await downloadBlob(client, ref, descriptor, store);
    report({ type: 'blob', digest: descriptor.digest, size: descriptor.size, action: 'downloaded' });
  });
  const config = parseImageConfig(await store.readBlob(manifest.config.digest), `config ${manifest.config.digest} of ${text}`);
  if (config.rootfs.diff_ids.length !== manifest.layers.length) {
    throw new RegistryError(RegistryErrorCode.Protocol, `${text}: the manifest has ${manifest.layers.length} layers but the config lists ${config.rootfs.diff_ids.length} diff IDs`, {
      registry: ref.registry,
      reference: text,
    });
  }

  if (!reused && ref.digest === undefined) {
    resolution = await recordResolution(store.root, { reference: text, platform, root, manifest: manifestDescriptor, resolvedAt: new Date().toISOString() });
  }
  resolution ??= { reference: text, platform: formatPlatform(platform), root, manifest: manifestDescriptor, resolvedAt: new Date().toISOString() };
  return {
    reference: ref,
    root,
    manifestDescriptor,
    manifest,
    configDescriptor: manifest.config,
    config,
    layers: manifest.layers,
    resolution,
    resolutionReused: reused,
  };
}

/** The platform's manifest in an index (nested indexes, attestations and config platforms as src/image does it). */
async function chooseManifest(client: RegistryClient, ref: RegistryReference, index: Descriptor, store: ContentStore, platform: Platform, text: string): Promise<Descriptor> {
  try {
    return await selectManifest(new RegistrySource(client, ref, store), [index], { platform, what: text });
  } catch (error) {
    if (error instanceof ImageError && error.code === ImageErrorCode.PlatformNotFound) {
      throw new RegistryError(RegistryErrorCode.PlatformNotFound, error.message, { registry: ref.registry, reference: text, cause: error });
    }
    throw error;
  }
}

/** Documents of one repository, read through the store: manifests and indexes by digest, other blobs downloaded. */
class RegistrySource implements BlobSource {
  constructor(
    private readonly client: RegistryClient,
    private readonly ref: RegistryReference,
    private readonly store: ContentStore,
  ) {}

  async openBlob(descriptor: Descriptor): Promise<Readable> {
    if (!(await this.store.hasBlob(descriptor.digest))) {
      const kind = documentKind(descriptor.mediaType);
      if (kind === 'index' || kind === 'manifest') {
        const fetched = await this.client.getManifest({ ...this.ref, digest: descriptor.digest });
        await this.store.putBlob(fetched.bytes, { digest: descriptor.digest, size: descriptor.size });
      } else {
        await downloadBlob(this.client, this.ref, descriptor, this.store);
      }
    }
    return this.store.openBlob(descriptor.digest);
  }
}
