import { describe, expect, it } from 'vitest';
import { goDuration, goList, goQuotedList } from '../../../src/builder/config/index.js';

describe('Go formatting', () => {
  it('prints durations like time.Duration.String', () => {
    expect(goDuration(0)).toBe('0s');
    expect(goDuration(1)).toBe('1ns');
    expect(goDuration(1_500)).toBe('1.5µs');
    expect(goDuration(2_000_000)).toBe('2ms');
    expect(goDuration(1_500_000_000)).toBe('1.5s');
    expect(goDuration(90_000_000_000)).toBe('1m30s');
    expect(goDuration(3_600_000_000_000)).toBe('1h0m0s');
    expect(goDuration(3_723_000_000_001n)).toBe('1h2m3.000000001s');
    expect(goDuration(-5_000_000_000)).toBe('-5s');
  });

  it('prints string lists with %v and %q', () => {
    expect(goList(['a', 'b c'])).toBe('[a b c]');
    expect(goList([])).toBe('[]');
    expect(goQuotedList(['a', 'say "hi"', 'é\n'])).toBe('["a" "say \\"hi\\"" "é\\n"]');
  });
});
