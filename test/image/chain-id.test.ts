import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chainId, chainIds } from '../../src/image/index.js';

const a = `sha256:${'a'.repeat(64)}`;
const b = `sha256:${'b'.repeat(64)}`;
const c = `sha256:${'c'.repeat(64)}`;
const sha = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

describe('chain IDs', () => {
  it('follows the OCI definition: the first is the diff ID, then sha256 of "<parent> <diff id>"', () => {
    const ab = sha(`${a} ${b}`);
    expect(chainIds([a, b, c])).toEqual([a, ab, sha(`${ab} ${c}`)]);
    expect(chainId([a])).toBe(a);
    expect(chainId([])).toBeUndefined();
  });

  it('depends on order and on repeated layers', () => {
    expect(chainId([a, b])).not.toBe(chainId([b, a]));
    expect(chainIds([a, a])[1]).toBe(sha(`${a} ${a}`));
  });

  it('rejects what is not a digest', () => {
    expect(() => chainIds([a, 'nope'])).toThrow(expect.objectContaining({ code: 'IMAGE_INVALID_DIGEST' }) as Error);
  });
});
