import { isDigest } from './digest.js';
import { ImageError, ImageErrorCode } from './errors.js';
import { isConfigMediaType, isIndexMediaType, isManifestMediaType, MediaType } from './media-types.js';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest, Platform } from './types.js';

/**
 * Parsing and checking the JSON documents of an image. Parsing never re-serialises: a document's digest is always
 * that of the bytes it was read from.
 */

/** The largest manifest, index or config read into memory (16 MiB). */
export const maxDocumentSize = 16 * 1024 * 1024;

export type DocumentKind = 'index' | 'manifest' | 'config' | 'other';

type Json = Record<string, unknown>;

export function parseJson(bytes: Uint8Array | string, what: string): unknown {
  try {
    return JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8')) as unknown;
  } catch (error) {
    throw new ImageError(ImageErrorCode.InvalidJson, `${what} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isStringMap(value: unknown): value is Record<string, string> {
  return isObject(value) && Object.values(value).every((item) => typeof item === 'string');
}

/** Checks one descriptor; `where` names it in the error. */
export function checkDescriptor(value: unknown, where: string, code: ImageErrorCode = ImageErrorCode.InvalidManifest): Descriptor {
  const fail = (detail: string): never => {
    throw new ImageError(code, `${where}: ${detail}`);
  };
  if (!isObject(value)) return fail('a descriptor must be an object');
  if (typeof value.mediaType !== 'string' || value.mediaType === '') fail('mediaType must be a non-empty string');
  if (!isDigest(value.digest)) fail(`digest ${JSON.stringify(value.digest)} is not a valid digest`);
  if (typeof value.size !== 'number' || !Number.isSafeInteger(value.size) || value.size < 0) fail('size must be a non-negative integer');
  if (value.urls !== undefined && !isStringArray(value.urls)) fail('urls must be an array of strings');
  if (value.annotations !== undefined && !isStringMap(value.annotations)) fail('annotations must map strings to strings');
  if (value.data !== undefined && typeof value.data !== 'string') fail('data must be base64 text');
  if (value.platform !== undefined) checkPlatform(value.platform, `${where}.platform`, code);
  return value as unknown as Descriptor;
}

function checkPlatform(value: unknown, where: string, code: ImageErrorCode): Platform {
  if (!isObject(value) || typeof value.os !== 'string' || typeof value.architecture !== 'string') {
    throw new ImageError(code, `${where}: a platform needs string os and architecture`);
  }
  if (value.variant !== undefined && typeof value.variant !== 'string') throw new ImageError(code, `${where}: variant must be a string`);
  return value as unknown as Platform;
}

/** What kind of document a media type (or, when absent or generic, the document's own shape) says it is. */
export function documentKind(mediaType: string | undefined, document?: unknown): DocumentKind {
  if (isIndexMediaType(mediaType)) return 'index';
  if (isManifestMediaType(mediaType)) return 'manifest';
  if (isConfigMediaType(mediaType)) return 'config';
  if (mediaType !== undefined && mediaType !== 'application/json' && mediaType !== '') return 'other';
  if (!isObject(document)) return 'other';
  if (isIndexMediaType(document.mediaType as string) || Array.isArray(document.manifests)) return 'index';
  if (isManifestMediaType(document.mediaType as string) || (isObject(document.config) && Array.isArray(document.layers))) return 'manifest';
  if (isObject(document.rootfs)) return 'config';
  return 'other';
}

/** Parses and checks an image manifest. */
export function parseManifest(bytes: Uint8Array | string, what = 'image manifest'): ImageManifest {
  const value = parseJson(bytes, what);
  const fail = (detail: string): never => {
    throw new ImageError(ImageErrorCode.InvalidManifest, `${what}: ${detail}`);
  };
  if (!isObject(value)) return fail('not a JSON object');
  if (value.schemaVersion !== 2) fail(`schemaVersion is ${JSON.stringify(value.schemaVersion)}, expected 2 (schema 1 images are not supported)`);
  if (value.mediaType !== undefined && !isManifestMediaType(value.mediaType as string)) {
    fail(`mediaType ${JSON.stringify(value.mediaType)} is not an image manifest (${MediaType.OciManifest} or ${MediaType.DockerManifest})`);
  }
  checkDescriptor(value.config, `${what}: config`);
  if (!Array.isArray(value.layers)) fail('layers must be an array');
  (value.layers as unknown[]).forEach((layer, i) => checkDescriptor(layer, `${what}: layers[${i}]`));
  if (value.subject !== undefined) checkDescriptor(value.subject, `${what}: subject`);
  if (value.annotations !== undefined && !isStringMap(value.annotations)) fail('annotations must map strings to strings');
  return value as unknown as ImageManifest;
}

/** Parses and checks an image index (or Docker manifest list). */
export function parseIndex(bytes: Uint8Array | string, what = 'image index'): ImageIndex {
  const value = parseJson(bytes, what);
  const fail = (detail: string): never => {
    throw new ImageError(ImageErrorCode.InvalidIndex, `${what}: ${detail}`);
  };
  if (!isObject(value)) return fail('not a JSON object');
  if (value.schemaVersion !== 2) fail(`schemaVersion is ${JSON.stringify(value.schemaVersion)}, expected 2`);
  if (value.mediaType !== undefined && !isIndexMediaType(value.mediaType as string)) {
    fail(`mediaType ${JSON.stringify(value.mediaType)} is not an image index (${MediaType.OciIndex} or ${MediaType.DockerManifestList})`);
  }
  if (!Array.isArray(value.manifests)) fail('manifests must be an array');
  (value.manifests as unknown[]).forEach((manifest, i) => checkDescriptor(manifest, `${what}: manifests[${i}]`, ImageErrorCode.InvalidIndex));
  if (value.annotations !== undefined && !isStringMap(value.annotations)) fail('annotations must map strings to strings');
  return value as unknown as ImageIndex;
}

/** Parses and checks an image config: os and architecture, and rootfs with its diff IDs. */
export function parseImageConfig(bytes: Uint8Array | string, what = 'image config'): ImageConfig {
  const value = parseJson(bytes, what);
  const fail = (detail: string): never => {
    throw new ImageError(ImageErrorCode.InvalidConfig, `${what}: ${detail}`);
  };
  if (!isObject(value)) return fail('not a JSON object');
  if (typeof value.architecture !== 'string' || value.architecture === '') fail('architecture must be a non-empty string');
  if (typeof value.os !== 'string' || value.os === '') fail('os must be a non-empty string');
  const rootfs = value.rootfs;
  if (!isObject(rootfs)) return fail('rootfs is missing');
  if (rootfs.type !== 'layers') fail(`rootfs.type is ${JSON.stringify(rootfs.type)}, expected "layers"`);
  if (!Array.isArray(rootfs.diff_ids) || !rootfs.diff_ids.every(isDigest)) fail('rootfs.diff_ids must be an array of digests');
  if (value.config !== undefined && value.config !== null && !isObject(value.config)) fail('config must be an object');
  if (value.history !== undefined && !Array.isArray(value.history)) fail('history must be an array');
  return value as unknown as ImageConfig;
}

/** The descriptors a document refers to: an index's manifests, a manifest's config and layers. */
export function childDescriptors(kind: DocumentKind, document: unknown): Descriptor[] {
  if (!isObject(document)) return [];
  if (kind === 'index' && Array.isArray(document.manifests)) return document.manifests as Descriptor[];
  if (kind === 'manifest') return [document.config as Descriptor, ...((document.layers as Descriptor[] | undefined) ?? [])];
  return [];
}
