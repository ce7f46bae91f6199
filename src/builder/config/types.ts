/**
 * The parts of an OCI / Docker image configuration that Dockerfile instructions touch, with the JSON field names
 * unchanged. Absent means what Go's `omitempty` leaves out: empty lists and maps are dropped, not kept empty.
 */

/** Docker's `HealthcheckConfig`; durations are integer nanoseconds, zero (absent) meaning "inherit the default". */
export interface HealthcheckConfig {
  /** `["NONE"]`, `["CMD", arg...]` or `["CMD-SHELL", command]`. */
  Test: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** The image config's `config` object (Docker's container config subset). */
export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  ArgsEscaped?: boolean;
  Healthcheck?: HealthcheckConfig;
  OnBuild?: string[];
  Shell?: string[];
}

/** One `history` entry, as BuildKit writes it. */
export interface HistoryEntry {
  created?: string;
  created_by: string;
  author?: string;
  comment?: string;
  /** Present (true) only for steps that add no layer. */
  empty_layer?: boolean;
}

/** The image configuration document fields instructions change: `author`, `config` and `history`. */
export interface ImageConfig {
  /** The OS the image is for; chooses the default shell and whether PATH gets a default. */
  os?: string;
  /** Set by MAINTAINER. */
  author?: string;
  config: ContainerConfig;
  history: HistoryEntry[];
}

/** What BuildKit tracks per stage beside the image: whether CMD was set in this stage (ENTRYPOINT keeps it then). */
export interface StageConfigState {
  cmdSet: boolean;
}
