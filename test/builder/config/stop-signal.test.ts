import { describe, expect, it } from 'vitest';
import { isValidStopSignal } from '../../../src/builder/config/index.js';

describe('isValidStopSignal (moby signal.ParseSignal, Linux)', () => {
  it('accepts names with or without SIG in any case, and non-zero numbers', () => {
    for (const signal of ['SIGTERM', 'term', 'SigKill', 'SIGRTMIN+3', 'RTMAX-1', 'SIGWINCH', '9', '-1', '+15']) {
      expect(isValidStopSignal(signal), signal).toBe(true);
    }
  });

  it('refuses unknown names and zero', () => {
    for (const signal of ['SIGFOO', '0', '', 'SIGRTMIN+16', '9x', 'SIG']) expect(isValidStopSignal(signal), signal).toBe(false);
  });
});
