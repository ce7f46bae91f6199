import { goQuote } from '../../parser/index.js';

/** Go's `%v` of a `[]string`: `[a b c]`. */
export function goList(values: readonly string[]): string {
  return `[${values.join(' ')}]`;
}

/** Go's `%q` of a `[]string`: `["a" "b c"]`. */
export function goQuotedList(values: readonly string[]): string {
  return `[${values.map(goQuote).join(' ')}]`;
}

/** The fraction of `value / 10^precision` as Go prints it: `.5`, `.25`, or nothing when it is zero. */
function fraction(value: bigint, precision: number): { text: string; rest: bigint } {
  let digits = '';
  let printed = false;
  let rest = value;
  for (let i = 0; i < precision; i++) {
    const digit = rest % 10n;
    printed ||= digit !== 0n;
    if (printed) digits = digit.toString() + digits;
    rest /= 10n;
  }
  return { text: printed ? `.${digits}` : '', rest };
}

/** Go's `time.Duration.String()` for a count of nanoseconds: `0s`, `1.5s`, `1m30s`, `1h0m0s`, `250ms`, `1µs`. */
export function goDuration(nanoseconds: number | bigint): string {
  let value = BigInt(nanoseconds);
  const negative = value < 0n;
  if (negative) value = -value;
  let text: string;
  if (value < 1_000_000_000n) {
    if (value === 0n) return '0s';
    let unit: string;
    let precision: number;
    if (value < 1_000n) {
      unit = 'ns';
      precision = 0;
    } else if (value < 1_000_000n) {
      unit = 'µs';
      precision = 3;
    } else {
      unit = 'ms';
      precision = 6;
    }
    const { text: frac, rest } = fraction(value, precision);
    text = `${rest}${frac}${unit}`;
  } else {
    const { text: frac, rest: seconds } = fraction(value, 9);
    text = `${seconds % 60n}${frac}s`;
    const minutes = seconds / 60n;
    if (minutes > 0n) {
      text = `${minutes % 60n}m${text}`;
      const hours = minutes / 60n;
      if (hours > 0n) text = `${hours}h${text}`;
    }
  }
  return negative ? `-${text}` : text;
}
