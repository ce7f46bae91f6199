import type { Platform } from './plan/index.js';
import type { StageScope } from './plan/index.js';
import type { ImageConfig, StageConfigState } from './config/index.js';
import type { LayerRecord } from './layer-record.js';

/** A stage while it is built, and once it is done. */
export interface StageState {
  /** The image config as instructions made it (author, config, history). */
  image: ImageConfig;
  configState: StageConfigState;
  scope: StageScope;
  layers: LayerRecord[];
  /** The cache key of the filesystem so far: a chain over the base and every step that changed files. */
  key: string;
  platform: Platform;
}
