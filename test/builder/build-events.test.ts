import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build, startBuild, StepErrorCode, type ProgressEvent } from '../../src/builder/index.js';
import { writeTree } from '../fixtures/file-tree.js';
import { tempDirs } from '../fixtures/temp-dir.js';

const dir = tempDirs('build-events');

async function twoStageContext(): Promise<string> {
  return writeTree(await dir(), {
    Dockerfile: [
      'FROM scratch AS left',
      'COPY left.bin /left.bin',
      'ENV SIDE=left',
      'FROM scratch AS right',
      'COPY right.bin /right.bin',
      'FROM scratch',
      'COPY --from=left /left.bin /',
      'COPY --from=right /right.bin /',
      'LABEL done=yes',
      '',
    ].join('\n'),
    'left.bin': randomBytes(8 * 1024 * 1024),
    'right.bin': randomBytes(8 * 1024 * 1024),
  });
}

describe('startBuild: progress as an async iterator', () => {
  it('yields every event in order, ending with build-done, and resolves the same result', async () => {
    const context = await twoStageContext();
    const seenByCallback: ProgressEvent[] = [];
    const run = startBuild({ context, cacheDir: await dir(), outputs: [{ type: 'oci-layout', dest: path.join(await dir(), 'out') }], onProgress: (event) => seenByCallback.push(event) });
    const events: ProgressEvent[] = [];
    for await (const event of run.events) events.push(event);
    const result = await run.result;
    expect(events).toEqual(seenByCallback);
    expect(events[0]).toEqual({ type: 'build-start', stages: 3, steps: 7 });
    expect(events.at(-1)).toMatchObject({ type: 'build-done', digest: result.digest });
    const starts = events.filter((event) => event.type === 'step-start');
    expect(starts).toHaveLength(7);
    // `[stage k/n]` counts FROM and the filesystem steps only, like BuildKit.
    expect(starts.filter((event) => event.step.stage === 'stage-2').map((event) => `${event.step.index}/${event.step.total}`)).toEqual(['1/3', '2/3', '3/3']);
  });

  it('throws the build error from the iterator, and rejects the result with it', async () => {
    const context = writeTree(await dir(), { Dockerfile: 'FROM scratch\nCOPY missing.txt /\n' });
    const run = startBuild({ context, cacheDir: await dir(), outputs: [{ type: 'oci-layout', dest: path.join(await dir(), 'out') }] });
    const types: string[] = [];
    const iterate = async (): Promise<void> => {
      for await (const event of run.events) types.push(event.type);
    };
    await expect(iterate()).rejects.toMatchObject({ name: 'BuildStepError' });
    await expect(run.result).rejects.toMatchObject({ name: 'BuildStepError' });
    expect(types).toContain('step-error');
    expect(types).not.toContain('build-done');
  });
});

describe('build: stages and cancellation', () => {
  it('runs independent stages concurrently: both COPY steps start before either finishes', async () => {
    const context = await twoStageContext();
    const events: ProgressEvent[] = [];
    await build({ context, cacheDir: await dir(), outputs: [{ type: 'oci-layout', dest: path.join(await dir(), 'out') }], onProgress: (event) => events.push(event) });
    const position = (type: ProgressEvent['type'], name: string): number =>
      events.findIndex((event) => event.type === type && 'step' in event && event.step.name === name);
    const leftStart = position('step-start', 'COPY left.bin /left.bin');
    const rightStart = position('step-start', 'COPY right.bin /right.bin');
    const leftDone = position('step-done', 'COPY left.bin /left.bin');
    const rightDone = position('step-done', 'COPY right.bin /right.bin');
    expect(Math.min(leftStart, rightStart)).toBeGreaterThanOrEqual(0);
    expect(Math.max(leftStart, rightStart)).toBeLessThan(Math.min(leftDone, rightDone));
  });

  it('stops at the next step when its signal aborts, writes no output, and the next build works', async () => {
    const context = await twoStageContext();
    const cacheDir = await dir();
    const out = path.join(await dir(), 'out');
    const controller = new AbortController();
    const cancelled = build({
      context,
      cacheDir,
      outputs: [{ type: 'oci-layout', dest: out }],
      signal: controller.signal,
      onProgress: (event) => {
        if (event.type === 'step-done' && event.step.index === 2) controller.abort();
      },
    });
    await expect(cancelled).rejects.toMatchObject({ code: StepErrorCode.Aborted });
    await expect(readdir(out)).rejects.toMatchObject({ code: 'ENOENT' });

    const events: ProgressEvent[] = [];
    const result = await build({ context, cacheDir, outputs: [{ type: 'oci-layout', dest: out }], onProgress: (event) => events.push(event) });
    expect(result.digest).toMatch(/^sha256:/);
    // What finished before the abort is in the cache.
    expect(events.some((event) => event.type === 'step-cached')).toBe(true);
  });

  it('refuses to start when the signal is already aborted', async () => {
    const context = writeTree(await dir(), { Dockerfile: 'FROM scratch\nCOPY Dockerfile /\n' });
    const controller = new AbortController();
    controller.abort();
    await expect(build({ context, cacheDir: await dir(), outputs: [{ type: 'oci-layout', dest: path.join(await dir(), 'out') }], signal: controller.signal })).rejects.toMatchObject({
      code: StepErrorCode.Aborted,
    });
  });
});
