import { endianness } from 'node:os';
import { BuildErrorCode, PlatformError, type BuildErrorLocation } from '../errors.js';
import { goQuote } from '../../parser/index.js';

/** An OCI platform. `variant` and `osVersion` are left out when empty. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  osVersion?: string;
  osFeatures?: string[];
}

// containerd's known lists (from Go's syslist), used when a specifier has a single component.
const knownOperatingSystems = new Set([
  'aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl', 'netbsd',
  'openbsd', 'plan9', 'solaris', 'windows', 'zos',
]);
const knownArchitectures = new Set([
  '386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'ppc64', 'ppc64le', 'loong64', 'mips', 'mipsle',
  'mips64', 'mips64le', 'mips64p32', 'mips64p32le', 'ppc', 'riscv', 'riscv64', 's390', 's390x', 'sparc', 'sparc64',
  'wasm',
]);

const osComponent = /^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)((?:\+[A-Za-z0-9_.%-]+)*)\))?$/;
const otherComponent = /^[A-Za-z0-9_.-]+$/;

function normalizeOs(os: string): string {
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

/** containerd's `normalizeArch`: aliases, and the default variants (arm → v7; arm64/v8 and amd64/v1 drop it). */
function normalizeArchitecture(architecture: string, variant: string): [string, string] {
  let arch = architecture.toLowerCase();
  let vari = variant.toLowerCase();
  switch (arch) {
    case 'i386':
      arch = '386';
      vari = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      arch = 'amd64';
      if (vari === 'v1') vari = '';
      break;
    case 'aarch64':
    case 'arm64':
      arch = 'arm64';
      if (vari === '8' || vari === 'v8') vari = '';
      break;
    case 'armhf':
      arch = 'arm';
      vari = 'v7';
      break;
    case 'armel':
      arch = 'arm';
      vari = 'v6';
      break;
    case 'arm':
      if (vari === '' || vari === '7') vari = 'v7';
      else if (vari === '5' || vari === '6' || vari === '8') vari = `v${vari}`;
      break;
  }
  return [arch, vari];
}

function make(os: string, architecture: string, variant: string, osVersion = '', osFeatures: string[] = []): Platform {
  const platform: Platform = { os, architecture };
  if (variant !== '') platform.variant = variant;
  if (osVersion !== '') platform.osVersion = osVersion;
  if (osFeatures.length > 0) platform.osFeatures = osFeatures;
  return platform;
}

/** containerd's `platforms.Normalize`: canonical os, architecture and variant (linux/arm → linux/arm/v7, arm64/v8 → arm64). */
export function normalizePlatform(platform: Platform): Platform {
  const [architecture, variant] = normalizeArchitecture(platform.architecture, platform.variant ?? '');
  const features = platform.osFeatures ? [...new Set(platform.osFeatures)].sort() : [];
  return make(normalizeOs(platform.os), architecture, variant, platform.osVersion ?? '', features);
}

export interface ParsePlatformOptions {
  /** Fills the missing half of a one-component specifier (`linux`, `arm64`); BuildKit uses its worker's platform. */
  defaults?: Platform;
  location?: BuildErrorLocation;
}

function invalid(text: string, why: string, options: ParsePlatformOptions): PlatformError {
  return new PlatformError(BuildErrorCode.InvalidPlatform, `failed to parse platform ${text}: ${why}`, {
    location: options.location,
    hint: 'Write the platform as os/architecture[/variant], for example linux/amd64 or linux/arm64',
  });
}

function decodeOption(value: string): string {
  return value.includes('%') ? decodeURIComponent(value) : value;
}

/**
 * containerd's `platforms.Parse` followed by `platforms.Normalize`, as BuildKit does with `--platform` values:
 * `os[(version)]`, `arch`, `os/arch` or `os/arch/variant`.
 */
export function parsePlatform(text: string, options: ParsePlatformOptions = {}): Platform {
  const defaults = options.defaults ?? defaultBuildPlatform();
  if (text.includes('*')) throw invalid(text, `${goQuote(text)}: wildcards not yet supported`, options);
  const parts = splitN(text, '/', 4);
  const first = osComponent.exec(parts[0]);
  if (first === null) {
    throw invalid(text, `${goQuote(parts[0])} is an invalid OS component of ${goQuote(text)}`, options);
  }
  for (const part of parts.slice(1)) {
    if (!otherComponent.test(part)) throw invalid(text, `${goQuote(part)} is an invalid component of ${goQuote(text)}`, options);
  }
  const os = normalizeOs(first[1]);
  let osVersion: string;
  let features: string[];
  try {
    osVersion = decodeOption(first[2] ?? '');
    features = first[3] ? first[3].slice(1).split('+').map(decodeOption) : [];
  } catch {
    throw invalid(text, `${goQuote(text)} has an invalid OS version or feature`, options);
  }

  let architecture: string;
  let variant: string;
  let resultOs = os;
  switch (parts.length) {
    case 1:
      if (knownOperatingSystems.has(os)) {
        architecture = defaults.architecture;
        variant = defaults.variant ?? '';
        break;
      }
      [architecture, variant] = normalizeArchitecture(parts[0], '');
      if (!knownArchitectures.has(architecture)) {
        throw invalid(text, `${goQuote(text)}: unknown operating system or architecture`, options);
      }
      resultOs = defaults.os;
      break;
    case 2:
      [architecture, variant] = normalizeArchitecture(parts[1], '');
      break;
    case 3:
      [architecture, variant] = normalizeArchitecture(parts[1], parts[2]);
      break;
    default:
      throw invalid(text, `${goQuote(text)}: cannot parse platform specifier`, options);
  }
  return normalizePlatform(make(resultOs, architecture, variant, osVersion, features));
}

function splitN(text: string, separator: string, limit: number): string[] {
  const parts = text.split(separator);
  if (parts.length <= limit) return parts;
  return [...parts.slice(0, limit - 1), parts.slice(limit - 1).join(separator)];
}

/** containerd's `platforms.Format`: `os/architecture[/variant]`, or `unknown` without an os. */
export function formatPlatform(platform: Platform): string {
  if (platform.os === '') return 'unknown';
  return [platform.os, platform.architecture, platform.variant ?? ''].filter((part) => part !== '').join('/');
}

/** containerd's `platforms.FormatAll`: like `formatPlatform`, with `(osVersion+features)` after the os. */
export function formatPlatformAll(platform: Platform): string {
  if (platform.os === '') return 'unknown';
  const encode = (value: string): string =>
    value.replace(/%/g, '%25').replace(/\+/g, '%2B').replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/\//g, '%2F');
  let options = encode(platform.osVersion ?? '');
  for (const feature of [...(platform.osFeatures ?? [])].sort()) options += `+${encode(feature)}`;
  const os = options === '' ? platform.os : `${platform.os}(${options})`;
  return [os, platform.architecture, platform.variant ?? ''].filter((part) => part !== '').join('/');
}

const nodeArchitectures: Readonly<Record<string, string>> = {
  x64: 'amd64',
  ia32: '386',
  arm: 'arm',
  arm64: 'arm64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
  riscv64: 'riscv64',
  s390: 's390',
  s390x: 's390x',
  ppc: 'ppc',
};

/** The Go `GOARCH` of this machine, from Node's `process.arch`. */
function hostArchitecture(): string {
  if (process.arch === 'ppc64') return endianness() === 'LE' ? 'ppc64le' : 'ppc64';
  return nodeArchitectures[process.arch] ?? process.arch;
}

function hostArmVariant(): string {
  const version = (process.config.variables as Record<string, unknown>)['arm_version'];
  return typeof version === 'string' || typeof version === 'number' ? `v${version}` : 'v7';
}

/**
 * The build platform, as BuildKit's worker reports it: linux (the images this tool builds are Linux images, as
 * with Docker Desktop's Linux VM) on this machine's architecture, normalised (arm64 without v8, arm with v7).
 */
export function defaultBuildPlatform(): Platform {
  const architecture = hostArchitecture();
  return normalizePlatform(make('linux', architecture, architecture === 'arm' ? hostArmVariant() : ''));
}

const nodeOperatingSystems: Readonly<Record<string, string>> = { win32: 'windows', sunos: 'solaris' };

/** This machine's own platform (`process.platform` / `process.arch` in Go's names), e.g. darwin/arm64. */
export function hostPlatform(): Platform {
  const os = nodeOperatingSystems[process.platform] ?? process.platform;
  const architecture = hostArchitecture();
  return normalizePlatform(make(os, architecture, architecture === 'arm' ? hostArmVariant() : ''));
}
