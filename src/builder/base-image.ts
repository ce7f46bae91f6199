import type { ContentStore } from '../cache/index.js';
import { openImage } from '../image/index.js';
import type { ImageConfig as OciImageConfig } from '../image/index.js';
import type { BuildPlan, Platform, SourceRef } from './plan/index.js';
import { cacheKey } from './cache-key.js';
import type { LayerRecord } from './layer-record.js';
import { StepErrorCode, StepProblem } from './step-errors.js';
import type { RegistryClient } from '../registry/index.js';

/** A base image found and copied into the content store. */
export interface BaseImage {
  config: OciImageConfig;
  layers: LayerRecord[];
  /** Cache key of its filesystem: the manifest digest decides it. */
  key: string;
  platform: Platform;
}

const imageTransports = /^(oci-layout:\/\/|oci:|oci-archive:|docker-archive:)/;

/** Whether a `--build-context` value names an image (rather than a directory). */
export function isImageLocation(value: string): boolean {
  return imageTransports.test(value);
}

/**
 * The registry image a stage's filesystem starts from (through earlier stages), if any: a push to the same registry
 * can mount the base layers from its repository instead of uploading them.
 */
export function baseRegistryImage(plan: BuildPlan, index: number): string | undefined {
  for (let stage = plan.stages[index]; ; ) {
    if (stage.replacedBy) return undefined;
    if (stage.base.kind === 'image') return stage.base.normalized;
    if (stage.base.kind !== 'stage') return undefined;
    stage = plan.stages[stage.base.stage];
  }
}

/** How FROM reaches registries: the build's client, and how long a tag's resolution may be reused. */
export interface RegistryAccess {
  /** The client, made when first asked for: a build whose images are all local never loads the registry code. */
  client: () => Promise<RegistryClient>;
  resolutionMaxAgeMs: number;
}

async function pullBaseImage(store: ContentStore, reference: string, platform: Platform, registry: RegistryAccess): Promise<BaseImage> {
  const { pullImage } = await import('../registry/index.js');
  const pulled = await pullImage(reference, {
    store,
    client: await registry.client(),
    platform: { os: platform.os, architecture: platform.architecture, variant: platform.variant },
    resolutionMaxAgeMs: registry.resolutionMaxAgeMs,
  });
  const diffIds = pulled.config.rootfs.diff_ids;
  return {
    config: pulled.config,
    layers: pulled.manifest.layers.map((descriptor, index) => ({ descriptor, diffId: diffIds[index] })),
    key: cacheKey('', ['image', pulled.manifestDescriptor.digest]),
    platform: { os: pulled.config.os, architecture: pulled.config.architecture, variant: pulled.config.variant },
  };
}

/**
 * Opens the image a FROM (or COPY --from) names, copies its blobs into the content store and returns its config
 * and layers. Images come from registries (pulled, or a recent resolution of the tag reused), or from OCI layouts
 * and archives named with `--build-context` (`docker-image://REF` there names a registry image).
 */
export async function loadBaseImage(store: ContentStore, source: SourceRef, platform: Platform, registry: RegistryAccess): Promise<BaseImage> {
  if (source.kind === 'image') return pullBaseImage(store, source.normalized, platform, registry);
  if (source.kind !== 'context') throw new Error(`not an image source: ${source.kind}`);
  const location = source.value;
  if (location.startsWith('docker-image://')) return pullBaseImage(store, location.slice('docker-image://'.length), platform, registry);
  if (!isImageLocation(location)) {
    throw new StepProblem(StepErrorCode.InvalidBuildContext, `build context ${source.name}=${location} is a directory, not an image`, 'Use oci-layout://PATH:TAG, oci-archive:FILE or docker-archive:FILE to name an image');
  }
  const image = await openImage(location, { platform: { os: platform.os, architecture: platform.architecture, variant: platform.variant } });
  try {
    await store.importImage(image, image.manifestDescriptor);
    const diffIds = image.config.rootfs.diff_ids;
    const layers = image.manifest.layers.map((descriptor, index) => ({ descriptor, diffId: diffIds[index] }));
    return {
      config: image.config,
      layers,
      key: cacheKey('', ['image', image.manifestDescriptor.digest]),
      platform: { os: image.platform.os, architecture: image.platform.architecture, variant: image.platform.variant },
    };
  } finally {
    await image.close();
  }
}
