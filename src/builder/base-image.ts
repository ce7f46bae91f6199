import type { ContentStore } from '../cache/index.js';
import { openImage } from '../image/index.js';
import type { ImageConfig as OciImageConfig } from '../image/index.js';
import type { Platform, SourceRef } from './plan/index.js';
import { cacheKey } from './cache-key.js';
import type { LayerRecord } from './layer-record.js';
import { StepErrorCode, StepProblem } from './step-errors.js';

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

function registryProblem(reference: string): StepProblem {
  return new StepProblem(
    StepErrorCode.RegistryUnavailable,
    `${reference}: pulling images from a registry is not available in this version`,
    `Give the image as a named context: --build-context NAME=oci-layout:///path/to/layout:TAG (or oci-archive:, docker-archive:)`,
  );
}

/**
 * Opens the image a FROM (or COPY --from) names, copies its blobs into the content store and returns its config
 * and layers. Images come from OCI layouts and archives, named with `--build-context`.
 */
export async function loadBaseImage(store: ContentStore, source: SourceRef, platform: Platform): Promise<BaseImage> {
  let location: string;
  if (source.kind === 'image') throw registryProblem(source.normalized);
  if (source.kind !== 'context') throw new Error(`not an image source: ${source.kind}`);
  location = source.value;
  if (location.startsWith('docker-image://')) throw registryProblem(location.slice('docker-image://'.length));
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
