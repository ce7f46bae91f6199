/**
 * docker/go-units `RAMInBytes`, which BuildKit uses for a tmpfs mount's `size`: a non-negative decimal number,
 * an optional space, and an optional case-insensitive suffix `b`, `k`, `kb`, `kib`, `m`, ... `p`, all binary
 * (`1k` is 1024 bytes). Returns undefined when the text is not a size.
 */
const multipliers: Readonly<Record<string, number>> = {
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};

const sizePattern = /^(\d*\.?\d*(?:[eE][-+]?\d+)?) ?([a-zA-Z]{0,3})$/;

export function parseRamInBytes(text: string): number | undefined {
  const match = sizePattern.exec(text);
  if (!match || !/\d/.test(match[1])) return undefined;
  const size = Number(match[1]);
  if (!Number.isFinite(size) || size < 0) return undefined;
  const suffix = match[2].toLowerCase();
  if (suffix === '' || suffix === 'b') return Math.trunc(size);
  const multiplier = multipliers[suffix[0]];
  if (multiplier === undefined) return undefined;
  if (suffix.length === 2 && suffix[1] !== 'b') return undefined;
  if (suffix.length === 3 && suffix.slice(1) !== 'ib') return undefined;
  return Math.trunc(size * multiplier);
}
