import type { ContentStore } from '../cache/index.js';
import { serializeImageConfig, serializeManifest, type Descriptor, type ImageConfig as OciImageConfig, type ImageManifest } from '../image/index.js';
import type { HistoryEntry } from './config/index.js';
import { historyTime } from './step-cache.js';
import type { StageState } from './stage-state.js';

export interface AssembledImage {
  manifest: ImageManifest;
  manifestDescriptor: Descriptor;
  config: OciImageConfig;
}

/**
 * History times as BuildKit's exporter fills them in. A layer step's entry has the time its layer was made (kept
 * with the step's cache entry). An entry without a time takes that of the nearest timed entry before it, except
 * before this build's first layer, where it takes that layer's time (rather than the base image's last one); with no
 * time at all, `buildTime`. A rebuild whose every layer comes from the cache gives the same history and image.
 */
function filledHistory(history: readonly HistoryEntry[], buildTime: string): HistoryEntry[] {
  let fill: string | undefined;
  let gap = false;
  for (const entry of history) {
    if (entry.created === undefined) gap = true;
    else {
      fill = entry.created;
      if (gap) break;
    }
  }
  gap = false;
  return history.map((entry) => {
    if (entry.created !== undefined) {
      if (gap) fill = entry.created;
      return entry;
    }
    gap = true;
    return { created: fill ?? buildTime, ...entry };
  });
}

/**
 * The final image of a stage: its config (platform, the instructions' config and history, the layers' diff IDs)
 * and manifest, stored in the content store. `sourceDateEpoch` (SOURCE_DATE_EPOCH) sets the image's time and that of
 * every history entry of this build; otherwise the image's time is its last history entry's (see filledHistory).
 */
export async function assembleImage(store: ContentStore, state: StageState, buildTime: Date, sourceDateEpoch: number | undefined): Promise<AssembledImage> {
  let history: HistoryEntry[];
  let created: string;
  if (sourceDateEpoch !== undefined) {
    created = historyTime(sourceDateEpoch * 1000);
    history = state.image.history.map((entry) => ({ created, ...entry }));
  } else {
    const fallback = historyTime(buildTime.getTime());
    history = filledHistory(state.image.history, fallback);
    created = history.at(-1)?.created ?? fallback;
  }
  const config: OciImageConfig = {
    created,
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
