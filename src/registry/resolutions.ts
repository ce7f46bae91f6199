import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { rootFileName } from '../cache/index.js';
import { replaceFile } from '../files/index.js';
import { checkDescriptor, formatPlatform, type Descriptor, type Platform } from '../image/index.js';

/**
 * Resolutions: which manifest a tag named when it was last pulled, and when. A caller (the builder, without
 * `--pull`) may reuse one younger than its limit instead of asking the registry again. One small JSON file per
 * reference and platform under `<store root>/registry/resolutions/`, written whole and renamed into place.
 */
export interface Resolution {
  /** The full reference (`docker.io/library/alpine:latest`). */
  reference: string;
  /** The platform the manifest was chosen for (`linux/amd64`). */
  platform: string;
  /** What the reference named: an index or a manifest. */
  root: Descriptor;
  /** The manifest chosen for the platform. */
  manifest: Descriptor;
  /** ISO time of the resolution. */
  resolvedAt: string;
}

export function resolutionsDir(storeRoot: string): string {
  return path.join(storeRoot, 'registry', 'resolutions');
}

function resolutionFile(storeRoot: string, reference: string, platform: Platform): string {
  return path.join(resolutionsDir(storeRoot), rootFileName(`${reference} ${formatPlatform(platform)}`));
}

export async function recordResolution(storeRoot: string, resolution: Omit<Resolution, 'platform'> & { platform: Platform }): Promise<Resolution> {
  const record: Resolution = { ...resolution, platform: formatPlatform(resolution.platform) };
  const file = resolutionFile(storeRoot, resolution.reference, resolution.platform);
  await mkdir(path.dirname(file), { recursive: true });
  await replaceFile(file, `${JSON.stringify(record)}\n`);
  return record;
}

/** The recorded resolution, when there is one no older than `maxAgeMs`. */
export async function readResolution(storeRoot: string, reference: string, platform: Platform, maxAgeMs = Number.POSITIVE_INFINITY, now = Date.now()): Promise<Resolution | undefined> {
  const text = await readFile(resolutionFile(storeRoot, reference, platform), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const record = JSON.parse(text) as Resolution;
    checkDescriptor(record.root, 'resolution root');
    checkDescriptor(record.manifest, 'resolution manifest');
    const age = now - Date.parse(record.resolvedAt);
    if (record.reference !== reference || Number.isNaN(age) || age > maxAgeMs) return undefined;
    return record;
  } catch {
    return undefined;
  }
}
