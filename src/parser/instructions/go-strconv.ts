import { goQuote } from '../go-quote.js';

/** Go's `strconv.ParseBool`: the exact spellings Go accepts, or undefined. */
export function parseGoBool(text: string): boolean | undefined {
  switch (text) {
    case '1': case 't': case 'T': case 'true': case 'TRUE': case 'True':
      return true;
    case '0': case 'f': case 'F': case 'false': case 'FALSE': case 'False':
      return false;
    default:
      return undefined;
  }
}

export type NumberResult = { ok: true; value: number } | { ok: false; reason: 'syntax' | 'range' };

function digitsValue(digits: string, base: number): bigint | undefined {
  if (digits === '') return undefined;
  let value = 0n;
  for (const char of digits) {
    const digit = char >= '0' && char <= '9' ? char.charCodeAt(0) - 48 : Number.NaN;
    if (!(digit < base)) return undefined;
    value = value * BigInt(base) + BigInt(digit);
  }
  return value;
}

/** Go's `strconv.ParseUint(text, base, bits)` for bases up to 10 (no sign, no prefix, no underscores). */
export function parseGoUint(text: string, base: 8 | 10, bits: 32 | 64): NumberResult {
  const value = digitsValue(text, base);
  if (value === undefined) return { ok: false, reason: 'syntax' };
  if (value > (1n << BigInt(bits)) - 1n) return { ok: false, reason: 'range' };
  return { ok: true, value: Number(value) };
}

/** Go's `strconv.ParseInt(text, 10, bits)`: optional sign, decimal digits. */
export function parseGoInt(text: string, bits: 32 | 64): NumberResult {
  const negative = text.startsWith('-');
  const unsigned = text.startsWith('+') || negative ? text.slice(1) : text;
  const magnitude = digitsValue(unsigned, 10);
  if (magnitude === undefined) return { ok: false, reason: 'syntax' };
  const limit = 1n << BigInt(bits - 1);
  if (negative ? magnitude > limit : magnitude > limit - 1n) return { ok: false, reason: 'range' };
  return { ok: true, value: Number(negative ? -magnitude : magnitude) };
}

/** The text of Go's `*strconv.NumError` for a failed parse. */
export function numErrorMessage(fn: 'ParseInt' | 'ParseUint', text: string, reason: 'syntax' | 'range'): string {
  return `strconv.${fn}: parsing ${goQuote(text)}: ${reason === 'syntax' ? 'invalid syntax' : 'value out of range'}`;
}
