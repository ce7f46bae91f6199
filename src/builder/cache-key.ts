import { createHash } from 'node:crypto';

/**
 * A step's cache key: a digest over its parent's key and everything that decides what the step makes, written
 * as canonical JSON so that equal inputs give equal keys on every machine.
 */
export function cacheKey(parent: string, parts: unknown): string {
  const hash = createHash('sha256');
  hash.update(parent);
  hash.update('\n');
  hash.update(JSON.stringify(parts, (_key, value: unknown) => (value instanceof Map ? [...value] : value)));
  return `sha256:${hash.digest('hex')}`;
}
