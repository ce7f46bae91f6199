import type { Environment } from './types.js';

/** A normalised variable lookup: the value, or `undefined` when the variable is unset. */
export type Lookup = (name: string) => string | undefined;

function isMapLike(env: object): env is ReadonlyMap<string, string> {
  const candidate = env as { get?: unknown; has?: unknown };
  return typeof candidate.get === 'function' && typeof candidate.has === 'function';
}

/**
 * Turns any accepted {@link Environment} shape into one lookup function. Records are read
 * through own properties only, so `__proto__`, `toString` and friends are never "set".
 */
export function toLookup(env: Environment): Lookup {
  if (typeof env === 'function') return env;
  if (isMapLike(env)) {
    return (name) => {
      const value = env.get(name);
      return typeof value === 'string' ? value : undefined;
    };
  }
  const record = env as Readonly<Record<string, string>>;
  return (name) => {
    if (!Object.hasOwn(record, name)) return undefined;
    const value = record[name];
    return typeof value === 'string' ? value : undefined;
  };
}
