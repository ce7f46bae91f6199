import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../src/builder/types.js';
import { TtyRenderer } from '../../../src/cli/progress/index.js';
import { capture, digest, failingBuild, FakeClock, screen, step, successfulBuild, T0 } from './helpers.js';

const width = 60;

/** A step line as the renderer lays it out: the time ending in the last column but one. */
function row(left: string, time: string): string {
  return `${left.padEnd(width - 1 - time.length - 1)} ${time}`;
}

function setup(options: { height?: number; color?: boolean } = {}) {
  const clock = new FakeClock(T0);
  const out = capture();
  const renderer = new TtyRenderer(out, { clock, width, height: options.height ?? 40, color: options.color ?? false });
  const play = (events: ProgressEvent[]): void => {
    for (const event of events) {
      if ('time' in event) clock.advanceTo(event.time);
      renderer.event(event);
    }
  };
  const frames = (): number => out.text().split('[+] Building').length - 1;
  return { clock, out, renderer, play, frames };
}

describe('tty progress', () => {
  it('ends with a static summary of every step, collapsed', () => {
    const { out, renderer, play, clock } = setup();
    play(successfulBuild());
    renderer.end();
    expect(screen(out.text())).toEqual([
      '[+] Building 0.5s (5/5) FINISHED',
      row(' => [base 1/2] FROM scratch', '0.0s'),
      row(' => CACHED [base 2/2] COPY a.txt /a.txt', '0.0s'),
      row(' => [stage-1 1/3] FROM base', '0.0s'),
      row(' => [stage-1 2/3] RUN make', '0.3s'),
      row(' => [stage-1 3/3] COPY --from=base /a.txt /c', '0.1s'),
      row(' => exporting to image', '0.1s'),
      row(' => => writing OCI image layout to out', '0.1s'),
      row(' => => writing Docker archive to img.tar', '0.0s'),
      row(`${` => => writing image ${digest}`.slice(0, width - 1 - ' 0.0s'.length - 3)}...`, '0.0s'),
      '',
      ' 1 warning found:',
      " - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)",
    ]);
    expect(clock.pending).toBe(0);
  });

  it('shows running steps with their elapsed time and last output lines, redrawn in place', () => {
    const { out, play, clock } = setup();
    play(successfulBuild().slice(0, 10));
    clock.advanceTo(T0 + 250);
    expect(screen(out.text())).toEqual([
      '[+] Building 0.2s (3/5)',
      row(' => [base 1/2] FROM scratch', '0.0s'),
      row(' => CACHED [base 2/2] COPY a.txt /a.txt', '0.0s'),
      row(' => [stage-1 1/3] FROM base', '0.0s'),
      row(' => [stage-1 2/3] RUN make', '0.2s'),
      ' => => # 0.123 compiling',
      ' => => # 0.123 linking',
    ]);
    // The elapsed time keeps moving without events.
    clock.advanceTo(T0 + 1720);
    const frame = screen(out.text());
    expect(frame[0]).toBe('[+] Building 1.7s (3/5)');
    expect(frame[4]).toBe(row(' => [stage-1 2/3] RUN make', '1.7s'));
  });

  it('redraws at most ten times a second', () => {
    const { play, frames, clock, renderer } = setup();
    const run = step(1, 'stage-0', 1, 1, 'RUN yes');
    const events: ProgressEvent[] = [{ type: 'build-start', stages: 1, steps: 1 }, { type: 'step-start', step: run, time: T0 }];
    for (let ms = 1; ms < 1000; ms += 5) events.push({ type: 'step-log', step: run, time: T0 + ms, stream: 'stdout', text: `y${ms}\n` });
    play(events);
    clock.advanceTo(T0 + 1000);
    expect(frames()).toBeGreaterThanOrEqual(9);
    expect(frames()).toBeLessThanOrEqual(11);
    renderer.end();
    expect(clock.pending).toBe(0);
  });

  it('keeps the live frame within the terminal, dropping the oldest finished steps first', () => {
    const { out, play, clock } = setup({ height: 6 });
    const events: ProgressEvent[] = [{ type: 'build-start', stages: 1, steps: 8 }];
    for (let id = 1; id <= 7; id++) {
      const info = step(id, 'stage-0', id, 8, `COPY f${id} .`);
      events.push({ type: 'step-start', step: info, time: T0 + id }, { type: 'step-done', step: info, time: T0 + id, durationMs: 0 });
    }
    events.push({ type: 'step-start', step: step(8, 'stage-0', 8, 8, 'RUN make'), time: T0 + 10 });
    play(events);
    clock.advanceTo(T0 + 500);
    expect(screen(out.text())).toEqual([
      '[+] Building 0.5s (7/8)',
      row(' => [5/8] COPY f5 .', '0.0s'),
      row(' => [6/8] COPY f6 .', '0.0s'),
      row(' => [7/8] COPY f7 .', '0.0s'),
      row(' => [8/8] RUN make', '0.5s'),
    ]);
  });

  it('marks a failed step ERROR and prints its output after the frame', () => {
    const { out, renderer, play } = setup();
    play(failingBuild());
    renderer.end();
    expect(screen(out.text())).toEqual([
      '[+] Building 1.3s (2/2) FINISHED',
      row(' => CACHED [1/2] FROM busybox', '0.0s'),
      row(' => ERROR [2/2] RUN make', '1.2s'),
      '------',
      ' > [2/2] RUN make:',
      '0.050 make: building',
      '1.150 make: *** [all] Error 2',
      '------',
    ]);
  });

  it('marks running steps CANCELED when interrupted', () => {
    const { out, renderer, play, clock } = setup();
    const run = step(1, 'stage-0', 1, 1, 'RUN sleep 100');
    play([
      { type: 'build-start', stages: 1, steps: 1 },
      { type: 'step-start', step: run, time: T0 },
    ]);
    clock.advanceTo(T0 + 2000);
    renderer.end({ canceled: true });
    expect(screen(out.text())).toEqual(['[+] Building 2.0s (0/1) CANCELED', row(' => CANCELED [1/1] RUN sleep 100', '2.0s')]);
  });

  it('cuts long lines and strips escape sequences from step output', () => {
    const { out, play, clock } = setup();
    const run = step(1, 'stage-0', 1, 1, `RUN ${'x'.repeat(100)}`);
    play([
      { type: 'build-start', stages: 1, steps: 1 },
      { type: 'step-start', step: run, time: T0 },
      { type: 'step-log', step: run, time: T0 + 1, stream: 'stdout', text: '\x1b[31mred\x1b[0m\ttab\n' },
    ]);
    clock.advanceTo(T0 + 100);
    const frame = screen(out.text());
    expect(frame[1]).toBe(row(` => [1/1] RUN ${'x'.repeat(37)}...`, '0.1s'));
    expect(frame[1]).toHaveLength(width - 1);
    expect(frame[2]).toBe(' => => # 0.001 red tab');
  });

  it('draws nothing when the build ends before reporting anything', () => {
    const { out, renderer } = setup();
    renderer.end();
    expect(out.text()).toBe('');
  });

  it('colours finished steps blue and failed ones red', () => {
    const { out, renderer, play } = setup({ color: true });
    play(failingBuild());
    renderer.end();
    expect(out.text()).toContain(`\x1b[34m${row(' => CACHED [1/2] FROM busybox', '0.0s')}\x1b[0m`);
    expect(out.text()).toContain(`\x1b[31m${row(' => ERROR [2/2] RUN make', '1.2s')}\x1b[0m`);
  });
});
