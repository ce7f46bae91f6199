import { PassThrough } from 'node:stream';
import type { OutputSpec, ProgressEvent, StepInfo } from '../../../src/builder/types.js';
import type { Clock } from '../../../src/cli/progress/index.js';

/** A stream that keeps everything written to it. */
export function capture(extra: { columns?: number; rows?: number; isTTY?: boolean } = {}): PassThrough & { text(): string } {
  const stream = Object.assign(new PassThrough(), extra) as PassThrough & { text(): string };
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.text = () => Buffer.concat(chunks).toString('utf8');
  return stream;
}

/** A clock whose time moves only when told; timers fire in order as it passes them. */
export class FakeClock implements Clock {
  private timers: { at: number; callback: () => void; id: number }[] = [];
  private nextId = 1;

  constructor(public time = 0) {}

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, callback, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }

  get pending(): number {
    return this.timers.length;
  }

  /** Moves time to `to`, firing due timers in order. */
  advanceTo(to: number): void {
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (next === undefined || next.at > to) break;
      this.timers.shift();
      this.time = Math.max(this.time, next.at);
      next.callback();
    }
    this.time = Math.max(this.time, to);
  }
}

/**
 * What a terminal shows after `output`: interprets the escapes the tty renderer writes (cursor up, carriage return,
 * clear line, clear below) and drops colours. Returns the screen's lines without trailing empty ones.
 */
export function screen(output: string): string[] {
  const lines: string[] = [''];
  let row = 0;
  let col = 0;
  const put = (char: string): void => {
    while (lines.length <= row) lines.push('');
    const line = lines[row].padEnd(col);
    lines[row] = line.slice(0, col) + char + line.slice(col + 1);
    col++;
  };
  for (let i = 0; i < output.length; i++) {
    const char = output[i];
    if (char === '\x1b') {
      const match = /^\x1b\[([0-9;?]*)([A-Za-z])/.exec(output.slice(i));
      if (!match) throw new Error(`unknown escape at ${i}: ${JSON.stringify(output.slice(i, i + 8))}`);
      i += match[0].length - 1;
      const n = match[1] === '' ? 1 : Number(match[1]);
      switch (match[2]) {
        case 'A':
          row = Math.max(0, row - n);
          break;
        case 'K':
          if (match[1] !== '2') throw new Error(`unexpected ${match[0]}`);
          while (lines.length <= row) lines.push('');
          lines[row] = '';
          break;
        case 'J':
          while (lines.length <= row) lines.push('');
          lines[row] = lines[row].slice(0, col);
          lines.length = row + 1;
          break;
        case 'm':
          break;
        default:
          throw new Error(`unexpected escape ${match[0]}`);
      }
    } else if (char === '\r') {
      col = 0;
    } else if (char === '\n') {
      row++;
      col = 0;
      while (lines.length <= row) lines.push('');
    } else {
      put(char);
    }
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function step(id: number, stage: string, index: number, total: number, name: string): StepInfo {
  return { id, stage, index, total, name };
}

export const T0 = 1_700_000_000_000;

export const steps = {
  from: step(1, 'base', 1, 2, 'FROM scratch'),
  copy: step(2, 'base', 2, 2, 'COPY a.txt /a.txt'),
  fromBase: step(3, 'stage-1', 1, 3, 'FROM base'),
  run: step(4, 'stage-1', 2, 3, 'RUN make'),
  copyFrom: step(5, 'stage-1', 3, 3, 'COPY --from=base /a.txt /c'),
};

export const outputs: OutputSpec[] = [
  { type: 'oci-layout', dest: 'out' },
  { type: 'docker', dest: 'img.tar' },
];

export const digest = `sha256:${'ab'.repeat(32)}`;

/** A two-stage build: a FROM, a cached COPY, a RUN with output, two exports, a warning. Times from T0. */
export function successfulBuild(): ProgressEvent[] {
  return [
    { type: 'warning', message: 'FromAsCasing: \'as\' and \'FROM\' keywords\' casing do not match (line 1)', time: T0 },
    { type: 'build-start', stages: 2, steps: 5 },
    { type: 'step-start', step: steps.from, time: T0 },
    { type: 'step-done', step: steps.from, time: T0 + 10, durationMs: 10 },
    { type: 'step-start', step: steps.copy, time: T0 + 10 },
    { type: 'step-cached', step: steps.copy, time: T0 + 12 },
    { type: 'step-start', step: steps.fromBase, time: T0 + 12 },
    { type: 'step-done', step: steps.fromBase, time: T0 + 12, durationMs: 0 },
    { type: 'step-start', step: steps.run, time: T0 + 20 },
    { type: 'step-log', step: steps.run, time: T0 + 143, stream: 'stdout', text: 'compiling\nlinking' },
    { type: 'step-log', step: steps.run, time: T0 + 300, stream: 'stdout', text: ' done\n' },
    { type: 'step-done', step: steps.run, time: T0 + 320, durationMs: 300 },
    { type: 'step-start', step: steps.copyFrom, time: T0 + 320 },
    { type: 'step-done', step: steps.copyFrom, time: T0 + 420, durationMs: 100 },
    { type: 'export', output: outputs[0], time: T0 + 520, durationMs: 100 },
    { type: 'export', output: outputs[1], time: T0 + 525, durationMs: 5 },
    { type: 'build-done', digest, time: T0 + 530, durationMs: 530 },
  ];
}

/** A single-stage build whose RUN fails after printing two lines. */
export function failingBuild(): ProgressEvent[] {
  const from = step(1, 'stage-0', 1, 2, 'FROM busybox');
  const run = step(2, 'stage-0', 2, 2, 'RUN make');
  return [
    { type: 'build-start', stages: 1, steps: 2 },
    { type: 'step-start', step: from, time: T0 },
    { type: 'step-cached', step: from, time: T0 },
    { type: 'step-start', step: run, time: T0 + 100 },
    { type: 'step-log', step: run, time: T0 + 150, stream: 'stdout', text: 'make: building\n' },
    { type: 'step-log', step: run, time: T0 + 1250, stream: 'stderr', text: 'make: *** [all] Error 2\n' },
    { type: 'step-error', step: run, time: T0 + 1300, message: 'process "/bin/sh -c make" did not complete successfully: exit code: 2' },
  ];
}
