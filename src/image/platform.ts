import { ImageError, ImageErrorCode } from './errors.js';
import type { Platform } from './types.js';

/**
 * Platforms: parsing `os/architecture[/variant]`, normalising the usual aliases (x86_64 → amd64, aarch64 → arm64,
 * armhf → arm/v7...), and choosing the best of several candidates the way containerd's matcher does: same os and
 * architecture; arm64 without a variant is arm64/v8; an arm/vN host also runs arm/v(N-1)...v5, preferring the
 * highest.
 */

const architectureAliases: Record<string, { architecture: string; variant?: string }> = {
  x86_64: { architecture: 'amd64' },
  'x86-64': { architecture: 'amd64' },
  x64: { architecture: 'amd64' },
  aarch64: { architecture: 'arm64' },
  armhf: { architecture: 'arm', variant: 'v7' },
  armel: { architecture: 'arm', variant: 'v6' },
  i386: { architecture: '386' },
  i686: { architecture: '386' },
  ia32: { architecture: '386' },
};

/** The canonical form of a platform: lower-case os, canonical architecture and variant. */
export function normalizePlatform(platform: Platform): Platform {
  const os = platform.os.toLowerCase() === 'macos' ? 'darwin' : platform.os.toLowerCase();
  let architecture = platform.architecture.toLowerCase();
  let variant = platform.variant?.toLowerCase();
  const alias = architectureAliases[architecture];
  if (alias) {
    architecture = alias.architecture;
    variant = variant ?? alias.variant;
  }
  if (architecture === 'arm64' && variant === '8') variant = 'v8';
  if (architecture === 'arm' && variant !== undefined && /^\d$/.test(variant)) variant = `v${variant}`;
  if (architecture === 'arm' && variant === undefined) variant = 'v7';
  const result: Platform = { ...platform, os, architecture };
  if (variant === undefined || variant === '') delete result.variant;
  else result.variant = variant;
  return result;
}

/** Parses `os/architecture[/variant]` (e.g. `linux/arm64/v8`) and normalises it. */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => part === '' || /\s/.test(part))) {
    throw new ImageError(ImageErrorCode.InvalidPlatform, `"${text}" is not a platform: expected os/architecture[/variant], e.g. linux/amd64 or linux/arm64/v8`);
  }
  const platform: Platform = { os: parts[0], architecture: parts[1] };
  if (parts[2] !== undefined) platform.variant = parts[2];
  return normalizePlatform(platform);
}

/** `os/architecture[/variant]`. */
export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter((part) => part !== undefined && part !== '').join('/');
}

const nodeArchitectures: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

/** The platform images are built for by default: linux on this machine's architecture. */
export function defaultPlatform(): Platform {
  const architecture = nodeArchitectures[process.arch] ?? process.arch;
  const platform: Platform = { os: 'linux', architecture };
  if (architecture === 'arm') {
    const armVersion = (process.config.variables as Record<string, unknown>)['arm_version'];
    platform.variant = typeof armVersion === 'string' || typeof armVersion === 'number' ? `v${armVersion}` : 'v7';
  }
  return normalizePlatform(platform);
}

/**
 * How well `candidate` serves `wanted`: undefined when it cannot run there, otherwise a score where higher is better.
 */
export function platformScore(wanted: Platform, candidate: Platform): number | undefined {
  const want = normalizePlatform(wanted);
  const have = normalizePlatform(candidate);
  if (want.os !== have.os || want.architecture !== have.architecture) return undefined;
  if (want['os.version'] !== undefined && have['os.version'] !== undefined && want['os.version'] !== have['os.version']) return undefined;
  const wantVariant = variantNumber(want);
  const haveVariant = variantNumber(have);
  if (want.variant === undefined) {
    // No variant asked for: any variant, the default (or highest) first.
    return haveVariant === wantVariant ? 1000 : 500 + (haveVariant ?? 0);
  }
  if (want.variant === have.variant || (want.architecture === 'arm64' && (have.variant ?? 'v8') === (want.variant ?? 'v8'))) return 1000;
  if (want.architecture === 'arm' && wantVariant !== undefined && haveVariant !== undefined && haveVariant < wantVariant && haveVariant >= 5) {
    return 500 + haveVariant;
  }
  return undefined;
}

function variantNumber(platform: Platform): number | undefined {
  const variant = platform.variant ?? (platform.architecture === 'arm64' ? 'v8' : undefined);
  const match = variant === undefined ? null : /^v(\d+)$/.exec(variant);
  return match ? Number(match[1]) : undefined;
}

export function platformMatches(wanted: Platform, candidate: Platform): boolean {
  return platformScore(wanted, candidate) !== undefined;
}

/**
 * The index of the candidate that best serves `wanted` (the first of equals), or -1. Candidates without a platform
 * never match.
 */
export function selectPlatform<T>(candidates: readonly T[], platformOf: (candidate: T) => Platform | undefined, wanted: Platform): number {
  let best = -1;
  let bestScore = -1;
  candidates.forEach((candidate, index) => {
    const platform = platformOf(candidate);
    const score = platform ? platformScore(wanted, platform) : undefined;
    if (score !== undefined && score > bestScore) {
      best = index;
      bestScore = score;
    }
  });
  return best;
}
