/**
 * OCI image-spec objects (descriptor, manifest, index, image config) with the Docker fields that Docker writes into
 * the same documents. Field names and JSON shapes are exactly those of the specs, so these types are the wire format.
 */

/** The platform an image runs on (image-spec `platform`, also the os/architecture/variant of a config). */
export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  /** Reserved by the image spec. */
  features?: string[];
}

/** A content descriptor: what a blob is, its digest and size. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  /** Base64 of the content, embedded. */
  data?: string;
  artifactType?: string;
  /** Only in an index's `manifests`. */
  platform?: Platform;
}

/** An image manifest (OCI or Docker schema 2). */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** An image index (OCI) or manifest list (Docker). */
export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/**
 * A health check as Docker writes it: durations are integer nanoseconds; zero values are left out. `Test` is
 * `["NONE"]` (disabled), `["CMD", args...]`, `["CMD-SHELL", command]`, or empty (inherit).
 */
export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** An empty JSON object: the value type of `ExposedPorts` and `Volumes` entries. */
export type EmptyObject = Record<string, never>;

/**
 * The execution parameters of an image (`config` of an image config). The OCI fields come first; the rest are the
 * fields Docker writes (Healthcheck, OnBuild, Shell) and the container-config fields of older Docker images.
 */
export interface ContainerConfig {
  User?: string;
  /** Keys like `80/tcp`, `53/udp`. */
  ExposedPorts?: Record<string, EmptyObject>;
  /** `NAME=value` entries. */
  Env?: string[] | null;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, EmptyObject> | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  ArgsEscaped?: boolean;
  Memory?: number;
  MemorySwap?: number;
  CpuShares?: number;
  Healthcheck?: HealthConfig;
  /** ONBUILD triggers, each an instruction's text (e.g. `RUN make`). */
  OnBuild?: string[] | null;
  /** The shell for shell-form commands, e.g. `["/bin/sh", "-c"]`. */
  Shell?: string[];
  StopTimeout?: number;
  Hostname?: string;
  Domainname?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Image?: string;
  NetworkDisabled?: boolean;
  MacAddress?: string;
}

/** One history entry: how a layer (or an empty step, `empty_layer`) was made. */
export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The layers of an image, by uncompressed digest (diff ID), bottom first. */
export interface RootFS {
  type: 'layers';
  diff_ids: string[];
}

/** An image configuration (OCI `application/vnd.oci.image.config.v1+json`, Docker's container image JSON). */
export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  config?: ContainerConfig;
  rootfs: RootFS;
  history?: HistoryEntry[];
  /** Docker only. */
  container?: string;
  container_config?: ContainerConfig;
  docker_version?: string;
  parent?: string;
  comment?: string;
  id?: string;
}

/** The `oci-layout` file of an image layout. */
export interface OciLayoutHeader {
  imageLayoutVersion: string;
}

/** One entry of a docker-archive's `manifest.json`. */
export interface DockerArchiveManifestEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
  Parent?: string;
  LayerSources?: Record<string, Descriptor>;
}

/** Annotation keys this package reads and writes. */
export const Annotation = {
  /** The tag (or full reference) of a manifest in an OCI layout's index.json. */
  RefName: 'org.opencontainers.image.ref.name',
  Created: 'org.opencontainers.image.created',
  /** containerd's full image name in an exported index.json. */
  ContainerdImageName: 'io.containerd.image.name',
  /** BuildKit's marker of attestation manifests in an index. */
  DockerReferenceType: 'vnd.docker.reference.type',
} as const;
