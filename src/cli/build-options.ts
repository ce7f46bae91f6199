import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BuildOptions, OutputSpec } from '../builder/types.js';
import { checkRepoTag } from '../image/index.js';
import { csvFields } from '../parser/instructions/csv-fields.js';
import { UsageError } from './io.js';
import { parseCacheOption } from '../builder/remote-cache/index.js';
import { tryParseReference } from '../registry/index.js';
import type { ProgressMode } from './progress/index.js';

export const buildUsage = `Usage: build-image [build] [OPTIONS] [CONTEXT]

Build an image from a Dockerfile, without a Docker daemon. CONTEXT is a directory (default: the current one).

Options:
      --build-arg KEY=VALUE       set a build-time variable; KEY alone takes its value from the environment
      --build-context NAME=VALUE  an additional build context: a directory, or oci-layout://PATH[:TAG] for an image
      --cache-dir DIR             the cache and content store (default $XDG_CACHE_HOME/build-image)
  -f, --file PATH                 the Dockerfile (default CONTEXT/Dockerfile; - reads standard input)
  -h, --help                      show this help
      --no-cache                  do not use the cache when building the image
      --no-cache-filter STAGE     do not use the cache for the steps of STAGE (repeatable)
  -o, --output OUTPUT             where the image goes (repeatable; see below)
      --platform PLATFORM         the target platform, e.g. linux/arm64 (default: this machine's)
      --progress MODE             progress output on standard error: auto, plain, tty or json (default auto:
                                  tty on a terminal, else plain; BUILDKIT_PROGRESS sets the default)
  -q, --quiet                     no progress; print only the image digest
      --reproducible              timestamps at SOURCE_DATE_EPOCH, or 0 (1970) when it is not set
      --secret id=ID,src=FILE     a secret for RUN --mount=type=secret (or id=ID,env=VARIABLE; repeatable)
      --network MODE              the network of RUN steps: none (default) or host
      --allow ENTITLEMENT         allow network.host (RUN --network=host) or security.insecure (repeatable)
      --executor NAME             what runs RUN steps: auto (default: crun, runc, then chroot), crun, runc, chroot
      --push                      push the image to the registry of each -t name (--output type=registry)
      --cache-to CACHE            export the step cache: type=registry,ref=REF[,mode=max] (repeatable)
      --cache-from CACHE          use an exported step cache: type=registry,ref=REF (repeatable)
      --pull                      ask the registry for FROM's tags again instead of reusing a resolution (1 hour)
  -t, --tag NAME[:TAG]            name the image (repeatable)
      --target STAGE              the stage to build (default: the last one)
  -V, --version                   print the version

Outputs, in buildx's syntax:
  type=oci,dest=image.tar              an OCI archive
  type=oci,dest=DIR,tar=false          an OCI image layout directory
  type=docker,dest=image.tar           a tarball for \`docker load\`
  type=local,dest=DIR (or just DIR)    the image's files, unpacked
  type=registry[,name=NAME:TAG]        pushed to a registry (under the -t names without name=)
Without --output the image goes to an OCI layout in ./build-image-out, or ./NAME_TAG for -t NAME:TAG.
SOURCE_DATE_EPOCH in the environment sets the image's timestamps. Without root, the build runs as root of a user
namespace (subordinate ids from /etc/subuid); BUILD_IMAGE_USERNS=off turns that off, =single maps only your own id.`;

/** How the CLI runs the build, beside the builder's own options. */
export interface BuildCliSettings {
  /** The resolved progress mode (auto already decided; quiet with -q). */
  progress: ProgressMode;
  /** -q: no progress, only the digest on standard output. */
  quiet: boolean;
  /** -f -: the Dockerfile is to be read from standard input into `dockerfileText`. */
  dockerfileFromStdin: boolean;
  /** No --output was given: `outputs` is the default OCI layout. */
  defaultOutput: boolean;
}

export type BuildInvocation =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'build'; options: BuildOptions; settings: BuildCliSettings };

export interface ParseBuildArgsOptions {
  /** The environment (`--build-arg KEY`, SOURCE_DATE_EPOCH, BUILDKIT_PROGRESS); default none. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Whether standard error is a terminal (--progress=auto). */
  stderrIsTTY?: boolean;
  /** The home directory, where ~/.docker/config.json is (default: no auth files are read). */
  homeDir?: string;
}

const flags = {
  file: { type: 'string', short: 'f' },
  tag: { type: 'string', short: 't', multiple: true },
  'build-arg': { type: 'string', multiple: true },
  'build-context': { type: 'string', multiple: true },
  target: { type: 'string' },
  platform: { type: 'string', multiple: true },
  'no-cache': { type: 'boolean' },
  'no-cache-filter': { type: 'string', multiple: true },
  output: { type: 'string', short: 'o', multiple: true },
  progress: { type: 'string' },
  'cache-dir': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  reproducible: { type: 'boolean' },
  secret: { type: 'string', multiple: true },
  network: { type: 'string' },
  allow: { type: 'string', multiple: true },
  executor: { type: 'string' },
  push: { type: 'boolean' },
  'cache-to': { type: 'string', multiple: true },
  'cache-from': { type: 'string', multiple: true },
  pull: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

type FlagName = keyof typeof flags;

export const defaultOutputDir = 'build-image-out';

/**
 * Reads `build-image [build] [options] [context]` (argv without the `build` word) the way `docker buildx build`
 * does: flags and the context in any order, `--` ends the flags, string flags repeat where buildx's do, booleans
 * take `--flag=false`. Throws UsageError with cobra's messages (`unknown flag: --x`, `flag needs an argument: --tag`).
 */
export function parseBuildArgs(argv: readonly string[], options: ParseBuildArgsOptions = {}): BuildInvocation {
  const env = options.env ?? {};
  const { strings, booleans, positionals } = readFlags(argv);
  if (booleans.get('help')) return { kind: 'help' };
  if (booleans.get('version')) return { kind: 'version' };
  if (positionals.length > 1) throw new UsageError(`accepts at most 1 arg(s), received ${positionals.length}`);

  const context = positionals[0] ?? '.';
  if (context === '-') {
    throw new UsageError('reading the build context from standard input is not supported yet; pass a directory (and -f - to read the Dockerfile from standard input)');
  }
  if (/^(?:[a-z][a-z0-9+.-]*:\/\/|git@)/i.test(context)) {
    throw new UsageError(`remote build contexts are not supported yet: ${context}; pass a local directory`);
  }

  const last = (name: FlagName): string | undefined => strings.get(name)?.at(-1);
  const all = (name: FlagName): string[] => strings.get(name) ?? [];

  const build: BuildOptions = { context };
  const file = last('file');
  const dockerfileFromStdin = file === '-';
  if (file === '') throw new UsageError('the Dockerfile path (-f) is empty');
  // buildx reads -f from the working directory; an absolute path means that whether the builder resolves it from
  // there or from the context. Without -f the builder's default is CONTEXT/Dockerfile.
  if (file !== undefined && !dockerfileFromStdin) build.dockerfile = path.resolve(file);

  const tags = all('tag').map(checkTag);
  if (tags.length > 0) build.tags = tags;

  const buildArgs = keyValues(all('build-arg'), env);
  if (Object.keys(buildArgs).length > 0) build.buildArgs = buildArgs;

  const contexts = all('build-context');
  if (contexts.length > 0) {
    const named: Record<string, string> = {};
    for (const value of contexts) {
      const equals = value.indexOf('=');
      if (equals <= 0) throw new UsageError(`invalid context value: ${value}, expected key=value`);
      named[value.slice(0, equals)] = value.slice(equals + 1);
    }
    build.buildContexts = named;
  }

  const target = last('target');
  if (target) build.target = target;

  const platforms = all('platform').flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value !== '');
  if (new Set(platforms).size > 1) throw new UsageError(`multi-platform builds are not supported yet: --platform ${platforms.join(',')}; build one platform at a time`);
  if (platforms.length > 0) build.platform = platforms[0];

  if (booleans.get('no-cache')) build.noCache = true;
  const noCacheFilter = all('no-cache-filter').filter((stage) => stage !== '');
  if (noCacheFilter.length > 0) build.noCacheFilter = noCacheFilter;

  const cacheDir = last('cache-dir');
  if (cacheDir) build.cacheDir = cacheDir;

  const outputs = all('output').map(parseOutput);
  if (booleans.get('push') && !outputs.some((output) => output.type === 'registry')) outputs.push({ type: 'registry' });
  if (outputs.some((output) => output.type === 'registry' && output.names === undefined) && tags.length === 0) {
    throw new UsageError('tag is needed when pushing to registry: give -t NAME:TAG or --output type=registry,name=NAME:TAG');
  }
  for (const output of outputs) if (output.type === 'registry') (output.names ?? tags).forEach(checkPushName);
  if (booleans.get('pull')) build.pull = true;
  const cacheTo = all('cache-to').map((value) => cacheOption(value, '--cache-to'));
  if (cacheTo.length > 0) build.cacheTo = cacheTo;
  const cacheFrom = all('cache-from').map((value) => cacheOption(value, '--cache-from')).map(({ type, ref }) => ({ type, ref }));
  if (cacheFrom.length > 0) build.cacheFrom = cacheFrom;
  if (options.homeDir !== undefined) build.registry = { authFiles: { env, homeDir: options.homeDir } };
  const defaultOutput = outputs.length === 0;
  build.outputs = defaultOutput ? [{ type: 'oci-layout', dest: defaultOutputPath(tags) }] : outputs;

  const sourceDateEpoch = env.SOURCE_DATE_EPOCH;
  if (sourceDateEpoch !== undefined) build.env = { SOURCE_DATE_EPOCH: sourceDateEpoch };
  if (booleans.get('reproducible') && (sourceDateEpoch === undefined || sourceDateEpoch === '')) build.sourceDateEpoch = 0;

  const secrets = all('secret').map((value) => parseSecret(value, env));
  if (secrets.length > 0) build.secrets = Object.fromEntries(secrets);

  const network = last('network');
  if (network !== undefined) {
    if (network === 'host' || network === 'none') build.network = network;
    else if (network !== 'default') throw new UsageError(`invalid --network ${network}: use default, none or host`);
  }
  const allow = all('allow').flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value !== '');
  for (const entitlement of allow) {
    if (entitlement !== 'network.host' && entitlement !== 'security.insecure') throw new UsageError(`invalid --allow ${entitlement}: use network.host or security.insecure`);
  }
  if (allow.length > 0) build.allow = allow as Array<'network.host' | 'security.insecure'>;
  const executor = last('executor');
  if (executor !== undefined) {
    if (executor !== 'auto' && executor !== 'crun' && executor !== 'runc' && executor !== 'chroot') throw new UsageError(`invalid --executor ${executor}: use auto, crun, runc or chroot`);
    build.executor = executor;
  }

  const quiet = booleans.get('quiet') === true;
  let progress = resolveProgress(last('progress'), env.BUILDKIT_PROGRESS, options.stderrIsTTY === true);
  if (quiet) progress = 'quiet';

  return { kind: 'build', options: build, settings: { progress, quiet: progress === 'quiet', dockerfileFromStdin, defaultOutput } };
}

/** Where the image goes without --output: `build-image-out`, or the first tag with `/` and `:` made `_`. */
export function defaultOutputPath(tags: readonly string[]): string {
  return tags.length === 0 ? defaultOutputDir : tags[0].replace(/[/:]/g, '_');
}

/**
 * One `--output` value in buildx's syntax: CSV `key=value` fields (`type=oci,dest=out.tar`), or a bare path meaning
 * `type=local,dest=PATH`.
 */
export function parseOutput(value: string): OutputSpec {
  if (value === '') throw new UsageError('invalid --output: the value is empty');
  const csv = csvFields(value);
  if (!csv.ok) throw new UsageError(`invalid --output ${value}: ${csv.message}`);
  const fields = csv.fields;
  if (fields.length === 1 && fields[0] === value && !value.startsWith('type=')) {
    if (value === '-') throw new UsageError('writing the output to standard output (-o -) is not supported; use -o type=oci,dest=FILE or type=docker,dest=FILE');
    return { type: 'local', dest: value };
  }

  let type = '';
  const attrs = new Map<string, string>();
  for (const field of fields) {
    const equals = field.indexOf('=');
    if (equals === -1) throw new UsageError(`invalid value ${field}`);
    const key = field.slice(0, equals).toLowerCase().trim();
    const fieldValue = field.slice(equals + 1);
    if (key === 'type') type = fieldValue;
    else attrs.set(key, fieldValue);
  }
  if (type === '') throw new UsageError('type is required for output');

  const allow = (...keys: string[]): void => {
    for (const key of attrs.keys()) {
      if (!keys.includes(key)) throw new UsageError(`unknown key "${key}" in --output type=${type} (supported: ${keys.join(', ')})`);
    }
  };
  const dest = attrs.get('dest');
  switch (type) {
    case 'oci': {
      allow('dest', 'tar');
      const tar = attrs.has('tar') ? parseBool(attrs.get('tar')!, 'tar') : true;
      if (dest === undefined || dest === '') {
        throw new UsageError(tar ? 'dest is required for oci output (a file; writing to standard output is not supported)' : 'output directory is required for oci exporter');
      }
      return { type: tar ? 'oci-archive' : 'oci-layout', dest };
    }
    case 'docker': {
      allow('dest', 'tar');
      if (attrs.has('tar') && !parseBool(attrs.get('tar')!, 'tar')) {
        throw new UsageError('tar=false is not supported for type=docker; use type=oci,tar=false for an image layout directory');
      }
      if (dest === undefined || dest === '') {
        throw new UsageError('dest is required for docker output: build-image has no Docker daemon to load the image into; use type=docker,dest=image.tar and `docker load -i image.tar`');
      }
      return { type: 'docker', dest };
    }
    case 'local':
      allow('dest');
      if (dest === undefined || dest === '') throw new UsageError('dest is required for local output');
      return { type: 'local', dest };
    case 'registry':
    case 'image': {
      allow('name', 'push');
      if (type === 'image' && !(attrs.has('push') && parseBool(attrs.get('push')!, 'push'))) {
        throw new UsageError('--output type=image without push=true would store the image in a daemon, and build-image has none; use type=registry or type=image,push=true');
      }
      const names = attrs.get('name')?.split(',').map((name) => name.trim()).filter((name) => name !== '').map(checkTag);
      return names && names.length > 0 ? { type: 'registry', names } : { type: 'registry' };
    }
    case 'tar':
    case 'cacheonly':
      throw new UsageError(`--output type=${type} is not supported yet (supported: oci, docker, local)`);
    default:
      throw new UsageError(`unknown output type "${type}" (supported: oci, docker, local)`);
  }
}

function resolveProgress(flag: string | undefined, fromEnv: string | undefined, stderrIsTTY: boolean): ProgressMode {
  const source = flag !== undefined ? 'progress mode' : 'BUILDKIT_PROGRESS';
  const value = flag ?? (fromEnv || 'auto');
  switch (value) {
    case 'auto':
      return stderrIsTTY ? 'tty' : 'plain';
    case 'plain':
    case 'tty':
    case 'json':
    case 'quiet':
      return value;
    case 'rawjson':
      return 'json';
    default:
      throw new UsageError(`invalid ${source} "${value}" (expected auto, plain, tty or json)`);
  }
}

/**
 * One `--secret` in buildx's syntax: `id=ID,src=FILE` (or `source=`), `id=ID,env=VARIABLE`, `type=file|env`; with
 * neither src nor env, the environment variable named ID. Environment values are read here, so the library gets
 * the value and reads no environment itself.
 */
export function parseSecret(value: string, env: Readonly<Record<string, string | undefined>>): [string, { file: string } | { value: string }] {
  const csv = csvFields(value);
  if (!csv.ok) throw new UsageError(`invalid --secret ${value}: ${csv.message}`);
  let type: string | undefined;
  let id = '';
  let file: string | undefined;
  let variable: string | undefined;
  for (const field of csv.fields) {
    const equals = field.indexOf('=');
    if (equals === -1) throw new UsageError(`invalid --secret field ${field}: expected key=value`);
    const key = field.slice(0, equals).toLowerCase();
    const fieldValue = field.slice(equals + 1);
    if (key === 'type') {
      if (fieldValue !== 'file' && fieldValue !== 'env') throw new UsageError(`unsupported secret type ${JSON.stringify(fieldValue)}`);
      type = fieldValue;
    } else if (key === 'id') id = fieldValue;
    else if (key === 'src' || key === 'source') file = fieldValue;
    else if (key === 'env') variable = fieldValue;
    else throw new UsageError(`unexpected key '${key}' in '${field}'`);
  }
  if (type === 'env' && variable === undefined) {
    variable = file;
    file = undefined;
  }
  if (id === '') id = variable ?? (file ? path.basename(file) : '');
  if (id === '') throw new UsageError(`invalid --secret ${value}: an id is required`);
  if (file !== undefined) return [id, { file: path.resolve(file) }];
  const name = variable ?? id;
  const secret = env[name];
  if (secret === undefined) throw new UsageError(`--secret ${id}: the environment variable ${name} is not set${variable === undefined ? ' (give src=FILE or env=VARIABLE)' : ''}`);
  return [id, { value: secret }];
}

function cacheOption(value: string, flag: string): ReturnType<typeof parseCacheOption> {
  try {
    return parseCacheOption(value);
  } catch (error) {
    throw new UsageError(`invalid ${flag} ${value}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** `--build-arg` values as buildx reads them: `KEY=VALUE`, or `KEY` for the environment's value (left out when unset). */
function keyValues(values: readonly string[], env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const value of values) {
    const equals = value.indexOf('=');
    const key = equals === -1 ? value : value.slice(0, equals);
    if (key === '') throw new UsageError(`invalid key-value pair "${value}": empty key`);
    if (equals !== -1) result[key] = value.slice(equals + 1);
    else if (env[key] !== undefined) result[key] = env[key]!;
  }
  return result;
}

/**
 * A name to push to must also be a registry reference (the distribution grammar, stricter at the edges than an
 * image name: a 64-hex repository, a name over 255 characters), so that a bad one stops the build before it starts.
 */
function checkPushName(name: string): void {
  const parsed = tryParseReference(name);
  if (!parsed.ok) throw new UsageError(`invalid tag "${name}" to push: ${parsed.message}`);
}

function checkTag(tag: string): string {
  try {
    checkRepoTag(tag);
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/^image reference "[^"]*": /, '') : String(error);
    throw new UsageError(`invalid tag "${tag}": ${message}`);
  }
  return tag;
}

/** Go's strconv.ParseBool, which cobra and buildx use. */
function parseBool(value: string, what: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new UsageError(`invalid argument "${value}" for ${what}: strconv.ParseBool: parsing "${value}": invalid syntax`);
}

interface ReadFlags {
  strings: Map<FlagName, string[]>;
  booleans: Map<FlagName, boolean>;
  positionals: string[];
}

function readFlags(argv: readonly string[]): ReadFlags {
  // Non-strict parsing gives every token; the checks below are cobra's, with its messages.
  const { tokens } = parseArgs({ args: [...argv], options: flags, strict: false, allowPositionals: true, tokens: true });
  const result: ReadFlags = { strings: new Map(), booleans: new Map(), positionals: [] };
  for (const token of tokens) {
    if (token.kind === 'positional') {
      result.positionals.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue;
    const long = token.rawName.startsWith('--');
    const spec = Object.hasOwn(flags, token.name) ? flags[token.name as FlagName] : undefined;
    if (spec === undefined) {
      throw new UsageError(long ? `unknown flag: ${token.rawName}` : `unknown shorthand flag: '${token.name}' in ${argv[token.index]}`);
    }
    const name = token.name as FlagName;
    if (spec.type === 'boolean') {
      result.booleans.set(name, token.value === undefined ? true : parseBool(token.value, `"--${name}" flag`));
      continue;
    }
    if (token.value === undefined) {
      throw new UsageError(long ? `flag needs an argument: ${token.rawName}` : `flag needs an argument: '${token.rawName.slice(1)}' in ${token.rawName}`);
    }
    // pflag reads `-t=name` as `-t name`.
    const value = !long && token.inlineValue && token.value.startsWith('=') ? token.value.slice(1) : token.value;
    result.strings.set(name, [...(result.strings.get(name) ?? []), value]);
  }
  return result;
}
