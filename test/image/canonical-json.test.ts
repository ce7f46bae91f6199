import { describe, expect, it } from 'vitest';
import { canonicalDigest, canonicalJson, canonicalJsonBytes, digestOf } from '../../src/image/index.js';

describe('canonicalJson', () => {
  it('sorts keys at every level and has no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('gives the same bytes and digest whatever order the object was built in', () => {
    const one = { schemaVersion: 2, mediaType: 'm', layers: [{ size: 1, digest: 'd', mediaType: 'l' }] };
    const two = { layers: [{ mediaType: 'l', digest: 'd', size: 1 }], mediaType: 'm', schemaVersion: 2 };
    expect(canonicalJsonBytes(one).equals(canonicalJsonBytes(two))).toBe(true);
    expect(canonicalDigest(one)).toBe(canonicalDigest(two));
    expect(canonicalDigest(one)).toBe(digestOf(canonicalJson(two)));
  });

  it('leaves out undefined members, writes undefined array items as null, escapes strings as JSON does', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 'é\n"'], c: '' })).toBe('{"b":[null,"é\\n\\""],"c":""}');
    expect(canonicalJson({ 'os.version': '1', architecture: 'amd64' })).toBe('{"architecture":"amd64","os.version":"1"}');
  });

  it('parses back to an equal value', () => {
    const value = { Env: ['PATH=/bin'], ExposedPorts: { '80/tcp': {} }, Healthcheck: { Interval: 30_000_000_000, Test: ['CMD', 'true'] } };
    expect(JSON.parse(canonicalJson(value))).toEqual(value);
  });

  it('rejects values JSON cannot hold', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/finite/);
    expect(() => canonicalJson({ a: new Date(0) })).toThrow(/plain object/);
    expect(() => canonicalJson({ a: 1n })).toThrow(/bigint/);
    expect(() => canonicalJson({ a: () => 1 })).toThrow(/function/);
  });
});
