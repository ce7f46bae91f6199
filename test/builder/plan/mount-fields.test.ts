import { describe, expect, it } from 'vitest';
import { joinCsvRecord, splitCsvRecord } from '../../../src/builder/plan/mount-fields.js';

describe('mount CSV fields', () => {
  it('split like Go\'s encoding/csv', () => {
    expect(splitCsvRecord('type=cache,target=/x')).toEqual(['type=cache', 'target=/x']);
    expect(splitCsvRecord('"target=/a,b",ro')).toEqual(['target=/a,b', 'ro']);
    expect(splitCsvRecord('"say ""hi""",x')).toEqual(['say "hi"', 'x']);
    expect(splitCsvRecord('a,,b')).toEqual(['a', '', 'b']);
    expect(splitCsvRecord('a"b')).toBeUndefined();
    expect(splitCsvRecord('"a"b')).toBeUndefined();
    expect(splitCsvRecord('"open')).toBeUndefined();
  });

  it('join back so that splitting gives the same fields', () => {
    for (const fields of [['type=bind', 'target=/a,b'], ['id="q"', ' lead'], ['plain']]) {
      expect(splitCsvRecord(joinCsvRecord(fields))).toEqual(fields);
    }
  });
});
