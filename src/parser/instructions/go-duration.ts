import { goQuote } from '../go-quote.js';

/** Nanoseconds per unit, as Go's `time.ParseDuration` knows them (both micro signs included). */
const units: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n],
  ['\u03bcs', 1_000n],
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const maxDuration = (1n << 63n) - 1n;

export type DurationResult = { ok: true; nanoseconds: number } | { ok: false; message: string };

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

/**
 * Go's `time.ParseDuration`: a signed sequence of decimal numbers, each with an optional fraction and a unit
 * (`300ms`, `-1.5h`, `2h45m`). `0` needs no unit. The result is in nanoseconds, like Go's `time.Duration`.
 */
export function parseGoDuration(text: string): DurationResult {
  const invalid = (): DurationResult => ({ ok: false, message: `time: invalid duration ${goQuote(text)}` });
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return { ok: true, nanoseconds: 0 };
  if (rest === '') return invalid();
  let total = 0n;
  while (rest !== '') {
    if (!(rest[0] === '.' || isDigit(rest[0]))) return invalid();
    let index = 0;
    while (isDigit(rest[index])) index++;
    const whole = rest.slice(0, index);
    let fraction = '';
    if (rest[index] === '.') {
      const fractionStart = ++index;
      while (isDigit(rest[index])) index++;
      fraction = rest.slice(fractionStart, index);
    }
    if (whole === '' && fraction === '') return invalid();
    const unitStart = index;
    while (index < rest.length && rest[index] !== '.' && !isDigit(rest[index])) index++;
    const unitText = rest.slice(unitStart, index);
    if (unitText === '') return { ok: false, message: `time: missing unit in duration ${goQuote(text)}` };
    const unit = units.get(unitText);
    if (unit === undefined) {
      return { ok: false, message: `time: unknown unit ${goQuote(unitText)} in duration ${goQuote(text)}` };
    }
    const wholeValue = whole === '' ? 0n : BigInt(whole);
    if (wholeValue > maxDuration / unit) return invalid();
    let value = wholeValue * unit;
    if (fraction !== '') {
      value += BigInt(Math.trunc(Number(`0.${fraction}`) * Number(unit)));
    }
    total += value;
    if (total > maxDuration + (negative ? 1n : 0n)) return invalid();
    rest = rest.slice(index);
  }
  return { ok: true, nanoseconds: Number(negative ? -total : total) };
}
