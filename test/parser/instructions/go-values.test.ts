import { describe, expect, it } from 'vitest';
import { parseRamInBytes } from '../../../src/parser/instructions/byte-size.js';
import { csvFields } from '../../../src/parser/instructions/csv-fields.js';
import { parseGoDuration } from '../../../src/parser/instructions/go-duration.js';
import { parseGoBool, parseGoInt, parseGoUint } from '../../../src/parser/instructions/go-strconv.js';

describe('Go-compatible value readers', () => {
  it('parses durations like time.ParseDuration', () => {
    expect(parseGoDuration('1h2m3.5s')).toEqual({ ok: true, nanoseconds: 3_723_500_000_000 });
    expect(parseGoDuration('-1.5ms')).toEqual({ ok: true, nanoseconds: -1_500_000 });
    expect(parseGoDuration('1.s')).toEqual({ ok: true, nanoseconds: 1_000_000_000 });
    expect(parseGoDuration('2μs')).toEqual({ ok: true, nanoseconds: 2_000 });
    expect(parseGoDuration('-0')).toEqual({ ok: true, nanoseconds: 0 });
    expect(parseGoDuration('')).toEqual({ ok: false, message: 'time: invalid duration ""' });
    expect(parseGoDuration('1s2')).toEqual({ ok: false, message: 'time: missing unit in duration "1s2"' });
    expect(parseGoDuration('2562048h')).toEqual({ ok: false, message: 'time: invalid duration "2562048h"' });
    expect(parseGoDuration('2562047h').ok).toBe(true);
  });

  it('parses sizes like go-units RAMInBytes', () => {
    expect(parseRamInBytes('32')).toBe(32);
    expect(parseRamInBytes('32b')).toBe(32);
    expect(parseRamInBytes('1 KiB')).toBe(1024);
    expect(parseRamInBytes('3MB')).toBe(3 * 1024 ** 2);
    expect(parseRamInBytes('0.5g')).toBe(1024 ** 3 / 2);
    expect(parseRamInBytes('2P')).toBe(2 * 1024 ** 5);
    for (const bad of ['', 'k', '1kk', '1kib2', '1bb', '1  k', '-5', '1x']) expect(parseRamInBytes(bad)).toBeUndefined();
  });

  it('parses booleans and integers like strconv', () => {
    expect(['1', 't', 'T', 'TRUE', 'true', 'True'].map(parseGoBool)).toEqual(Array(6).fill(true));
    expect(['0', 'f', 'F', 'FALSE', 'false', 'False'].map(parseGoBool)).toEqual(Array(6).fill(false));
    expect(parseGoBool('yes')).toBeUndefined();
    expect(parseGoUint('0755', 8, 32)).toEqual({ ok: true, value: 0o755 });
    expect(parseGoUint('8', 8, 32)).toEqual({ ok: false, reason: 'syntax' });
    expect(parseGoUint('+1', 10, 32)).toEqual({ ok: false, reason: 'syntax' });
    expect(parseGoInt('-2147483648', 32)).toEqual({ ok: true, value: -2147483648 });
    expect(parseGoInt('-2147483649', 32)).toEqual({ ok: false, reason: 'range' });
    expect(parseGoInt('', 32)).toEqual({ ok: false, reason: 'syntax' });
  });

  it('splits one CSV record', () => {
    expect(csvFields('a,b,,c')).toEqual({ ok: true, fields: ['a', 'b', '', 'c'] });
    expect(csvFields('"a,b",c,')).toEqual({ ok: true, fields: ['a,b', 'c', ''] });
    expect(csvFields('"x""y"')).toEqual({ ok: true, fields: ['x"y'] });
    expect(csvFields('a\n')).toEqual({ ok: true, fields: ['a'] });
    expect(csvFields('"a"b')).toEqual({ ok: false, message: 'parse error on line 1, column 3: extraneous or missing " in quoted-field' });
  });
});
