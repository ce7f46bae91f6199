/** `--build-arg` values in any of the usual shapes. */
export type BuildArgsInput = Readonly<Record<string, string>> | ReadonlyMap<string, string> | ReadonlyArray<readonly [string, string]>;

export function toBuildArgMap(input: BuildArgsInput | undefined): ReadonlyMap<string, string> {
  if (input === undefined) return new Map();
  if (input instanceof Map) return new Map(input);
  if (Array.isArray(input)) return new Map(input as ReadonlyArray<readonly [string, string]>);
  return new Map(Object.entries(input as Readonly<Record<string, string>>));
}

/**
 * Docker's predefined proxy arguments: usable in RUN without an ARG, and kept out of the image history and the
 * cache key unless a Dockerfile declares them.
 */
export const proxyArgNames: readonly string[] = [
  'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy',
];

const proxyKinds = ['http_proxy', 'https_proxy', 'ftp_proxy', 'no_proxy', 'all_proxy'] as const;

export function isProxyArg(name: string): boolean {
  return proxyArgNames.includes(name);
}

/**
 * The proxy variables RUN gets from build arguments (BuildKit's `ProxyEnv`): each kind is set in upper and lower
 * case from the build argument matching it case-insensitively (the lower-case spelling wins when both are given,
 * as BuildKit reads them in sorted order). These are outside the cache key.
 */
export function proxyEnvironment(buildArgs: ReadonlyMap<string, string>): string[] {
  const values = new Map<string, string>();
  for (const key of [...buildArgs.keys()].sort()) {
    const kind = proxyKinds.find((candidate) => candidate === key.toLowerCase());
    if (kind !== undefined) values.set(kind, buildArgs.get(key) as string);
  }
  const environment: string[] = [];
  for (const kind of proxyKinds) {
    const value = values.get(kind);
    if (value === undefined || value === '') continue;
    environment.push(`${kind.toUpperCase()}=${value}`, `${kind}=${value}`);
  }
  return environment;
}

/** BuildKit arguments that configure the build itself and never become environment variables. */
export const nonEnvironmentArgs: ReadonlySet<string> = new Set(['BUILDKIT_SBOM_SCAN_CONTEXT', 'BUILDKIT_SBOM_SCAN_STAGE']);
