import { describe, expect, it } from 'vitest';
import { InvalidSourceDateEpochError } from '../../src/layers/errors.js';
import { checkSourceDateEpoch, clampMtime, parseSourceDateEpoch } from '../../src/layers/source-date-epoch.js';

describe('SOURCE_DATE_EPOCH', () => {
  it('parses unset, empty and integer values', () => {
    expect(parseSourceDateEpoch(undefined)).toBeUndefined();
    expect(parseSourceDateEpoch('')).toBeUndefined();
    expect(parseSourceDateEpoch('0')).toBe(0);
    expect(parseSourceDateEpoch('1700000000')).toBe(1_700_000_000);
  });

  it('refuses anything else with a typed error', () => {
    for (const bad of ['-1', '1.5', 'now', ' 1', '99999999999999999999']) expect(() => parseSourceDateEpoch(bad)).toThrow(InvalidSourceDateEpochError);
    expect(() => checkSourceDateEpoch(-5)).toThrow(InvalidSourceDateEpochError);
    expect(() => checkSourceDateEpoch(1.5)).toThrow(InvalidSourceDateEpochError);
  });

  it('clamps only later times and drops fractions', () => {
    expect(clampMtime(2000.9, 1000)).toBe(1000);
    expect(clampMtime(500.9, 1000)).toBe(500);
    expect(clampMtime(500.9, undefined)).toBe(500);
    expect(clampMtime(-1.5, undefined)).toBe(-2);
  });
});
