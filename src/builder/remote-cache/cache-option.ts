import { tryParseReference } from '../../registry/index.js';
import type { BuildOptions } from '../types.js';
import { RemoteCacheError, RemoteCacheErrorCode } from './errors.js';

export type CacheToSpec = NonNullable<BuildOptions['cacheTo']>[number];
export type CacheFromSpec = NonNullable<BuildOptions['cacheFrom']>[number];

/**
 * Attributes accepted besides type, ref and mode. BuildKit's registry cache takes them too; this builder always
 * writes OCI media types in an image manifest, so only the value `true` is accepted for each.
 */
const alwaysTrueAttributes = new Set(['oci-mediatypes', 'image-manifest']);

/**
 * Parses a `--cache-to` / `--cache-from` value in buildx's syntax: `type=registry,ref=HOST/REPO:TAG[,mode=min|max]`,
 * or a bare reference (`HOST/REPO:TAG`, meaning type=registry). The same value serves both flags (`mode` only
 * matters to `--cache-to`), as with buildx. Throws RemoteCacheError (REMOTE_CACHE_INVALID_OPTION).
 */
export function parseCacheOption(text: string): CacheToSpec {
  const fail: (detail: string) => never = (detail) => {
    throw new RemoteCacheError(RemoteCacheErrorCode.InvalidOption, `cache option "${text}": ${detail}`);
  };
  const attributes = new Map<string, string>();
  if (!text.includes('=')) attributes.set('ref', text.trim());
  else {
    for (const part of text.split(',')) {
      const equals = part.indexOf('=');
      if (equals <= 0) fail(`"${part}" is not KEY=VALUE`);
      const name = part.slice(0, equals).trim().toLowerCase();
      if (attributes.has(name)) fail(`${name} is given twice`);
      attributes.set(name, part.slice(equals + 1).trim());
    }
  }
  const type = attributes.get('type') ?? 'registry';
  if (type !== 'registry') fail(`cache type "${type}" is not supported; only type=registry is (e.g. type=registry,ref=registry.example.com/app:buildcache)`);
  const ref = attributes.get('ref');
  if (ref === undefined || ref === '') return fail('ref=IMAGE is required with type=registry');
  const parsed = tryParseReference(ref);
  if (!parsed.ok) fail(`ref "${ref}": ${parsed.message}`);
  else if (parsed.reference.digest !== undefined) fail(`ref "${ref}" names a digest; a registry cache is pushed and read under a tag`);
  const mode = attributes.get('mode');
  if (mode !== undefined && mode !== 'min' && mode !== 'max') fail(`mode must be min or max, not "${mode}"`);
  for (const [name, value] of attributes) {
    if (name === 'type' || name === 'ref' || name === 'mode') continue;
    if (!alwaysTrueAttributes.has(name)) fail(`unknown attribute "${name}" (supported: ref, mode, oci-mediatypes=true, image-manifest=true)`);
    if (value !== 'true') fail(`${name}=${value} is not supported: the cache is always an OCI image manifest`);
  }
  return mode === undefined ? { type: 'registry', ref } : { type: 'registry', ref, mode };
}
