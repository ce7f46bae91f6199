/** Linux signal names moby's `signal.SignalMap` knows, without the `SIG` prefix. */
const linuxSignals: ReadonlySet<string> = new Set([
  'ABRT', 'ALRM', 'BUS', 'CHLD', 'CLD', 'CONT', 'FPE', 'HUP', 'ILL', 'INT', 'IO', 'IOT', 'KILL', 'PIPE', 'POLL', 'PROF',
  'PWR', 'QUIT', 'SEGV', 'STKFLT', 'STOP', 'SYS', 'TERM', 'TRAP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'USR1', 'USR2',
  'VTALRM', 'WINCH', 'XCPU', 'XFSZ', 'RTMIN', 'RTMAX',
  ...Array.from({ length: 15 }, (_, index) => `RTMIN+${index + 1}`),
  ...Array.from({ length: 14 }, (_, index) => `RTMAX-${14 - index}`),
]);

/**
 * moby's `signal.ParseSignal`, which BuildKit runs on STOPSIGNAL: a non-zero integer, or a Linux signal name with
 * or without `SIG`, in any case. The value is stored as written.
 */
export function isValidStopSignal(signal: string): boolean {
  if (/^[+-]?[0-9]+$/.test(signal)) return Number.parseInt(signal, 10) !== 0;
  const upper = signal.toUpperCase();
  return linuxSignals.has(upper.startsWith('SIG') ? upper.slice(3) : upper);
}
