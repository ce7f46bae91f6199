import type { ContentStore } from '../cache/index.js';
import { serializeImageConfig, serializeManifest, type Descriptor, type ImageConfig as OciImageConfig, type ImageManifest } from '../image/index.js';
import type { StageState } from './stage-state.js';

export interface AssembledImage {
  manifest: ImageManifest;
  manifestDescriptor: Descriptor;
  config: OciImageConfig;
}

/**
 * The final image of a stage: its config (platform, the instructions' config and history, the layers' diff IDs,
 * timestamps from SOURCE_DATE_EPOCH when given) and manifest, stored in the content store.
 */
export async function assembleImage(store: ContentStore, state: StageState, created: Date): Promise<AssembledImage> {
  const timestamp = created.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const history = state.image.history.map((entry) => ({ created: entry.created ?? timestamp, ...entry }));
  const config: OciImageConfig = {
    created: timestamp,
    architecture: state.platform.architecture,
    os: state.platform.os,
    config: state.image.config,
    rootfs: { type: 'layers', diff_ids: state.layers.map((layer) => layer.diffId) },
    history,
  };
  if (state.platform.variant) config.variant = state.platform.variant;
  if (state.image.author) config.author = state.image.author;
  const configDocument = serializeImageConfig(config);
  await store.putBlob(configDocument.bytes, { digest: configDocument.descriptor.digest, size: configDocument.descriptor.size });
  const manifestDocument = serializeManifest({ config: configDocument.descriptor, layers: state.layers.map((layer) => layer.descriptor) });
  await store.putBlob(manifestDocument.bytes, { digest: manifestDocument.descriptor.digest, size: manifestDocument.descriptor.size });
  return {
    manifest: JSON.parse(manifestDocument.bytes.toString('utf8')) as ImageManifest,
    manifestDescriptor: manifestDocument.descriptor,
    config,
  };
}
