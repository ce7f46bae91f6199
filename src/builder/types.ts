import type { Descriptor, ImageConfig as OciImageConfig, ImageManifest } from '../image/index.js';
import type { RegistryCredentials } from '../registry/index.js';

/** Where a build writes its image, in buildx's `--output` terms. */
export type OutputSpec =
  /** An OCI image layout directory (`type=oci,dest=DIR,tar=false`). */
  | { type: 'oci-layout'; dest: string }
  /** An OCI archive: a tar of the layout (`type=oci,dest=FILE`). */
  | { type: 'oci-archive'; dest: string }
  /** A docker-archive tarball that `docker load` accepts (`type=docker,dest=FILE`). */
  | { type: 'docker'; dest: string }
  /** The final filesystem, unpacked into a directory (`type=local,dest=DIR`). */
  | { type: 'local'; dest: string }
  /** Pushed to a registry (`type=registry`, `--push`): under `names`, else under every tag. */
  | { type: 'registry'; names?: readonly string[] };

/** One step of the build as progress shows it. */
export interface StepInfo {
  /** Sequential id of the vertex in this build (`#N` in plain progress). */
  id: number;
  /** `stage-name` or `stage-N`. */
  stage: string;
  /** 1-based position in the stage and the number of steps in it (`[stage 2/5]`). */
  index: number;
  total: number;
  /** The instruction as written, e.g. `COPY site/ ./`. */
  name: string;
}

/** What a build reports while it runs. Events of one step come in order: start, then cached or done or error. */
export type ProgressEvent =
  | { type: 'build-start'; stages: number; steps: number }
  | { type: 'step-start'; step: StepInfo; time: number }
  | { type: 'step-cached'; step: StepInfo; time: number }
  | { type: 'step-done'; step: StepInfo; time: number; durationMs: number }
  | { type: 'step-error'; step: StepInfo; time: number; message: string }
  | { type: 'step-log'; step: StepInfo; time: number; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'export'; output: OutputSpec; time: number; durationMs: number }
  | { type: 'warning'; message: string; time: number }
  | { type: 'build-done'; digest: string; time: number; durationMs: number };

export interface BuildOptions {
  /** The build context directory. */
  context: string;
  /** The Dockerfile: a path, relative ones from the context (default `<context>/Dockerfile`). The CLI resolves `-f` from the working directory, as buildx does, and passes it absolute. */
  dockerfile?: string;
  /** The Dockerfile's text, instead of reading `dockerfile`. */
  dockerfileText?: string;
  buildArgs?: Readonly<Record<string, string>>;
  /** The stage to build (default: the last one). */
  target?: string;
  /** The target platform, e.g. `linux/amd64` (default: this machine's). */
  platform?: string;
  /** Named contexts (`--build-context name=value`): a directory, or `oci-layout://PATH[:TAG]` for an image. */
  buildContexts?: Readonly<Record<string, string>>;
  /** Image names for the outputs (`-t`). */
  tags?: readonly string[];
  /** Where the image goes (default: an OCI layout in `./build-image-out`). */
  outputs?: readonly OutputSpec[];
  /** The cache and content store directory (default `$XDG_CACHE_HOME/build-image`). */
  cacheDir?: string;
  /** Run every step, using no cache entry. */
  noCache?: boolean;
  /** Stage names whose steps use no cache entry. */
  noCacheFilter?: readonly string[];
  /**
   * Registry caches to push after the build (`--cache-to type=registry,ref=...`), each one OCI artifact under the
   * ref's tag: the step cache entries the final image's steps used (`mode: 'min'`, the default) or those of every
   * stage built (`'max'`), with the layers they name.
   */
  cacheTo?: ReadonlyArray<{ type: 'registry'; ref: string; mode?: 'min' | 'max' }>;
  /** Registry caches to look up steps in when the local cache misses (`--cache-from`); a missing ref is a warning. */
  cacheFrom?: ReadonlyArray<{ type: 'registry'; ref: string }>;
  /** Timestamps of layers and history (seconds since the epoch); default `SOURCE_DATE_EPOCH` when `env` has it. */
  sourceDateEpoch?: number;
  /** Environment the build reads `SOURCE_DATE_EPOCH` from (default: none; the library reads no globals). */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Secrets for `RUN --mount=type=secret,id=ID`: a file to read (`--secret id=ID,src=FILE`) or the value itself.
   * They never enter a layer, the cache key or the history.
   */
  secrets?: Readonly<Record<string, { file: string } | { value: string }>>;
  /** The network of RUN steps that do not say `--network=`: `none` (default, no network at all) or `host`. */
  network?: 'none' | 'host';
  /** Entitlements, as buildx's `--allow`: `network.host` lets `RUN --network=host` use the host's network. */
  allow?: ReadonlyArray<'network.host' | 'security.insecure'>;
  /** What runs RUN steps: `auto` (crun, then runc, then the built-in chroot executor; default) or one of them. */
  executor?: 'auto' | 'crun' | 'runc' | 'chroot';
  /**
   * Registries: credentials by host (`docker.io`, `localhost:5000`), where Docker's and podman's auth files are
   * (the CLI passes `process.env` and the home directory; the library reads none by itself), and hosts that may be
   * reached over plain http (loopback ones always may).
   */
  registry?: {
    credentials?: Readonly<Record<string, RegistryCredentials>>;
    authFiles?: { env: Readonly<Record<string, string | undefined>>; homeDir: string };
    insecureRegistries?: readonly string[];
  };
  /** Ask the registry again for every tag a FROM names (`--pull`), instead of reusing a recent resolution. */
  pull?: boolean;
  /** How long, in seconds, a tag's resolution is reused without `pull` (default 3600). */
  resolutionMaxAge?: number;
  /**
   * Bounds on what one ADD may unpack from an archive: entries (default 1,000,000) and bytes of decompressed tar,
   * headers included (default 32 GiB). Past either the step fails with `ADD_ARCHIVE_LIMIT` (tar and gzip bombs).
   */
  limits?: { archiveEntries?: number; archiveBytes?: number };
  /** Called for every progress event; nothing is printed by the library. */
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
}

export interface StepResult {
  stage: string;
  name: string;
  cached: boolean;
  /** The layer the step added, when it added one. */
  layer?: Descriptor;
}

export interface BuildResult {
  /** The manifest digest: the image's identity. */
  digest: string;
  manifest: ImageManifest;
  config: OciImageConfig;
  /** The outputs written, in order. */
  outputs: OutputSpec[];
  steps: StepResult[];
  warnings: string[];
}
