import { familiarReference, type RegistryReference } from '../../registry/index.js';

/**
 * The key BuildKit looks a named build context up by (`NamedContext`): the familiar reference without `:latest`,
 * so `alpine`, `docker.io/library/alpine` and `alpine:latest` all find `--build-context alpine=...`.
 */
export function contextLookupName(reference: RegistryReference): string {
  const familiar = familiarReference(reference);
  return familiar.endsWith(':latest') ? familiar.slice(0, -':latest'.length) : familiar;
}
