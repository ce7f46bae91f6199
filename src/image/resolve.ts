import { readBlob, type BlobSource } from './blobs.js';
import { documentKind, parseImageConfig, parseIndex, parseJson, parseManifest } from './documents.js';
import { ImageError, ImageErrorCode } from './errors.js';
import { defaultPlatform, formatPlatform, normalizePlatform, selectPlatform } from './platform.js';
import { Annotation, type Descriptor, type ImageConfig, type ImageManifest, type Platform } from './types.js';

/** An image manifest chosen for a platform, with its config. */
export interface ResolvedImage {
  /** What the reference named: an index (multi-platform image) or the manifest itself. */
  root: Descriptor;
  manifestDescriptor: Descriptor;
  manifest: ImageManifest;
  manifestBytes: Buffer;
  configDescriptor: Descriptor;
  config: ImageConfig;
  configBytes: Buffer;
  /** The image's platform, from its config. */
  platform: Platform;
}

export interface ResolveOptions {
  /** The platform to choose among several manifests (default: linux on this machine's architecture). */
  platform?: Platform;
  /** Names the image in messages. */
  what?: string;
}

const maxIndexDepth = 4;

/**
 * Chooses one image manifest among candidate descriptors (index.json entries, or an index): indexes are opened
 * (nested ones too), attestation manifests dropped; one manifest left is the answer; among several, the platform
 * decides (from the descriptors' `platform`, or from their configs where a descriptor has none).
 */
export async function selectManifest(source: BlobSource, candidates: readonly Descriptor[], options: ResolveOptions = {}): Promise<Descriptor> {
  const what = options.what ?? 'image';
  const manifests: Descriptor[] = [];
  const expand = async (descriptors: readonly Descriptor[], depth: number): Promise<void> => {
    for (const descriptor of descriptors) {
      let kind = documentKind(descriptor.mediaType);
      let bytes: Buffer | undefined;
      if (kind === 'other' && (descriptor.mediaType === '' || descriptor.mediaType === 'application/json')) {
        bytes = await readBlob(source, descriptor);
        kind = documentKind(undefined, parseJson(bytes, `${what}: ${descriptor.digest}`));
      }
      if (kind === 'manifest') {
        if (!isAttestation(descriptor)) manifests.push(descriptor);
      } else if (kind === 'index') {
        if (depth >= maxIndexDepth) throw new ImageError(ImageErrorCode.InvalidIndex, `${what}: indexes nested more than ${maxIndexDepth} deep`);
        const index = parseIndex(bytes ?? (await readBlob(source, descriptor)), `${what}: index ${descriptor.digest}`);
        await expand(index.manifests, depth + 1);
      }
    }
  };
  await expand(candidates, 0);

  if (manifests.length === 0) throw new ImageError(ImageErrorCode.ReferenceNotFound, `${what}: no image manifest found`);
  // A single-platform image serves whatever is asked; the caller sees its real platform in the config.
  if (manifests.length === 1) return manifests[0];

  const platforms = new Map<Descriptor, Platform | undefined>();
  for (const descriptor of manifests) platforms.set(descriptor, descriptor.platform ?? (await configPlatform(source, descriptor, what)));
  const wanted = options.platform ?? defaultPlatform();
  const chosen = selectPlatform(manifests, (descriptor) => platforms.get(descriptor), wanted);
  if (chosen === -1) {
    const available = manifests.map((descriptor) => {
      const platform = platforms.get(descriptor);
      return platform ? formatPlatform(normalizePlatform(platform)) : `(no platform: ${descriptor.digest})`;
    });
    throw new ImageError(ImageErrorCode.PlatformNotFound, `${what}: no manifest for platform ${formatPlatform(wanted)}; it has ${available.join(', ')}`);
  }
  return manifests[chosen];
}

function isAttestation(descriptor: Descriptor): boolean {
  return (
    descriptor.annotations?.[Annotation.DockerReferenceType] === 'attestation-manifest' ||
    (descriptor.platform?.os === 'unknown' && descriptor.platform.architecture === 'unknown')
  );
}

async function configPlatform(source: BlobSource, descriptor: Descriptor, what: string): Promise<Platform | undefined> {
  const manifest = parseManifest(await readBlob(source, descriptor), `${what}: manifest ${descriptor.digest}`);
  const config = parseJson(await readBlob(source, manifest.config), `${what}: config ${manifest.config.digest}`) as Partial<ImageConfig> | null;
  if (typeof config?.os !== 'string' || typeof config.architecture !== 'string') return undefined;
  return platformOfConfig(config as ImageConfig);
}

/** The platform an image config declares. */
export function platformOfConfig(config: ImageConfig): Platform {
  const platform: Platform = { os: config.os, architecture: config.architecture };
  if (config.variant) platform.variant = config.variant;
  if (config['os.version']) platform['os.version'] = config['os.version'];
  return platform;
}

/**
 * Resolves to one image: the manifest for the platform, and its config. `from` is a descriptor (index or manifest),
 * or several candidates (e.g. every index.json entry with one tag); `root` is then the chosen manifest.
 */
export async function resolveImage(source: BlobSource, from: Descriptor | readonly Descriptor[], options: ResolveOptions = {}): Promise<ResolvedImage> {
  const what = options.what ?? 'image';
  const candidates = Array.isArray(from) ? (from as readonly Descriptor[]) : [from as Descriptor];
  const manifestDescriptor = await selectManifest(source, candidates, options);
  const manifestBytes = await readBlob(source, manifestDescriptor);
  const manifest = parseManifest(manifestBytes, `${what}: manifest ${manifestDescriptor.digest}`);
  const configBytes = await readBlob(source, manifest.config);
  const config = parseImageConfig(configBytes, `${what}: config ${manifest.config.digest}`);
  if (config.rootfs.diff_ids.length !== manifest.layers.length) {
    throw new ImageError(
      ImageErrorCode.InvalidManifest,
      `${what}: the manifest has ${manifest.layers.length} layers but the config lists ${config.rootfs.diff_ids.length} diff IDs`,
    );
  }
  return {
    root: candidates.length === 1 ? candidates[0] : manifestDescriptor,
    manifestDescriptor,
    manifest,
    manifestBytes,
    configDescriptor: manifest.config,
    config,
    configBytes,
    platform: platformOfConfig(config),
  };
}
