import { describe, expect, it } from 'vitest';
import { PlainRenderer } from '../../../src/cli/progress/index.js';
import { capture, digest, failingBuild, step, successfulBuild, T0 } from './helpers.js';

function render(events: ReturnType<typeof successfulBuild>, canceled = false): string {
  const out = capture();
  const renderer = new PlainRenderer(out);
  for (const event of events) renderer.event(event);
  renderer.end({ canceled });
  return out.text();
}

describe('plain progress', () => {
  it('prints BuildKit plain output for a build', () => {
    expect(render(successfulBuild())).toBe(
      [
        '#1 [base 1/2] FROM scratch',
        '#1 DONE 0.0s',
        '',
        '#2 [base 2/2] COPY a.txt /a.txt',
        '#2 CACHED',
        '',
        '#3 [stage-1 1/3] FROM base',
        '#3 DONE 0.0s',
        '',
        '#4 [stage-1 2/3] RUN make',
        '#4 0.123 compiling',
        '#4 0.123 linking done',
        '#4 DONE 0.3s',
        '',
        '#5 [stage-1 3/3] COPY --from=base /a.txt /c',
        '#5 DONE 0.1s',
        '',
        '#6 exporting to image',
        '#6 writing OCI image layout to out 0.1s done',
        '#6 writing Docker archive to img.tar done',
        `#6 writing image ${digest} done`,
        '#6 DONE 0.1s',
        '',
        ' 1 warning found:',
        " - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)",
        '',
      ].join('\n'),
    );
  });

  it('prints ERROR and, at the end, the failed step with its last output', () => {
    expect(render(failingBuild())).toBe(
      [
        '#1 [1/2] FROM busybox',
        '#1 CACHED',
        '',
        '#2 [2/2] RUN make',
        '#2 0.050 make: building',
        '#2 1.150 make: *** [all] Error 2',
        '#2 ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 2',
        '------',
        ' > [2/2] RUN make:',
        '0.050 make: building',
        '1.150 make: *** [all] Error 2',
        '------',
        '',
      ].join('\n'),
    );
  });

  it('leaves a running step with "#N ..." when another reports, and prints its header again', () => {
    const a = step(2, 'a', 2, 2, 'RUN one');
    const b = step(4, 'b', 2, 2, 'RUN two');
    const text = render([
      { type: 'build-start', stages: 3, steps: 6 },
      { type: 'step-start', step: a, time: T0 },
      { type: 'step-log', step: a, time: T0 + 1, stream: 'stdout', text: 'a1\npartial' },
      { type: 'step-start', step: b, time: T0 + 2 },
      { type: 'step-log', step: b, time: T0 + 3, stream: 'stderr', text: 'b1\n' },
      { type: 'step-log', step: a, time: T0 + 1004, stream: 'stdout', text: 'a2\n' },
      { type: 'step-done', step: a, time: T0 + 1500, durationMs: 1500 },
      { type: 'step-done', step: b, time: T0 + 1600, durationMs: 1598 },
    ]);
    expect(text).toBe(
      [
        '#2 [a 2/2] RUN one',
        '#2 0.001 a1',
        '#2 0.001 partial',
        '#2 ...',
        '',
        '#4 [b 2/2] RUN two',
        '#4 0.001 b1',
        '#4 ...',
        '',
        '#2 [a 2/2] RUN one',
        '#2 1.004 a2',
        '#2 DONE 1.5s',
        '',
        '#4 [b 2/2] RUN two',
        '#4 DONE 1.6s',
        '',
      ].join('\n'),
    );
  });

  it('pads the index to the width of the total, as BuildKit does', () => {
    const text = render([
      { type: 'build-start', stages: 1, steps: 12 },
      { type: 'step-start', step: step(3, 'stage-0', 3, 12, 'COPY . .'), time: T0 },
    ]);
    expect(text).toBe('#3 [ 3/12] COPY . .\n');
  });

  it('shows the stage of a single named stage', () => {
    const text = render([
      { type: 'build-start', stages: 1, steps: 1 },
      { type: 'step-cached', step: step(1, 'build', 1, 1, 'FROM scratch'), time: T0 },
    ]);
    expect(text).toBe('#1 [build 1/1] FROM scratch\n#1 CACHED\n');
  });

  it('marks steps still running as CANCELED when the build is interrupted', () => {
    const run = step(2, 'stage-0', 2, 2, 'RUN sleep 100');
    const text = render(
      [
        { type: 'build-start', stages: 1, steps: 2 },
        { type: 'step-start', step: run, time: T0 },
        { type: 'step-log', step: run, time: T0 + 5, stream: 'stdout', text: 'sleeping' },
      ],
      true,
    );
    expect(text).toBe('#2 [2/2] RUN sleep 100\n#2 0.005 sleeping\n#2 CANCELED\n');
  });

  it('flushes an unfinished output line at the end of its step', () => {
    const run = step(1, 'stage-0', 1, 1, 'RUN printf x');
    const text = render([
      { type: 'build-start', stages: 1, steps: 1 },
      { type: 'step-start', step: run, time: T0 },
      { type: 'step-log', step: run, time: T0 + 7, stream: 'stdout', text: 'x' },
      { type: 'step-done', step: run, time: T0 + 8, durationMs: 8 },
    ]);
    expect(text).toBe('#1 [1/1] RUN printf x\n#1 0.007 x\n#1 DONE 0.0s\n');
  });
});
