import { digestOf } from './digest.js';

/**
 * Canonical JSON: object keys in sorted (UTF-16 code unit) order, no insignificant whitespace, `undefined` members
 * left out, strings escaped as JSON.stringify does. The same value always gives the same bytes, so the same image
 * gives the same config and manifest digests whatever order its objects were built in. Only plain data is
 * accepted (objects, arrays, strings, finite numbers, booleans, null); anything else is a programming error.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

/** canonicalJson as UTF-8 bytes. */
export function canonicalJsonBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

/** The sha256 digest of a value's canonical JSON. */
export function canonicalDigest(value: unknown): string {
  return digestOf(canonicalJsonBytes(value));
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${path} is ${value}, not a finite number`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((item, i) => (item === undefined ? 'null' : write(item, `${path}[${i}]`))).join(',')}]`;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) throw new TypeError(`canonicalJson: ${path} is not a plain object`);
      const record = value as Record<string, unknown>;
      const members: string[] = [];
      for (const key of Object.keys(record).sort()) {
        const member = record[key];
        if (member === undefined) continue;
        members.push(`${JSON.stringify(key)}:${write(member, `${path}.${key}`)}`);
      }
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: ${path} is a ${typeof value}, which JSON cannot hold`);
  }
}
