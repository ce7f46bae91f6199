import { build } from './build.js';
import type { BuildOptions, BuildResult, ProgressEvent } from './types.js';

/** A running build: its progress as an async iterator, and its result. */
export interface BuildRun {
  /**
   * Every progress event, in order; ends after `build-done`, or throws the build's error when it fails. Events are
   * queued until read, so a caller that never reads them only holds them in memory until the build ends.
   */
  events: AsyncIterable<ProgressEvent>;
  /** The same as `build(options)` returns. */
  result: Promise<BuildResult>;
}

/** Starts a build and returns at once; `options.onProgress`, if given, is called too. */
export function startBuild(options: BuildOptions): BuildRun {
  const queue: ProgressEvent[] = [];
  let finished = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };

  const result = build({
    ...options,
    onProgress: (event) => {
      options.onProgress?.(event);
      queue.push(event);
      notify();
    },
  });
  // The failure also reaches the reader of `events`; a caller that only iterates must not get an unhandled rejection.
  result.then(
    () => {
      finished = true;
      notify();
    },
    (error: unknown) => {
      finished = true;
      failure = { error };
      notify();
    },
  );

  async function* events(): AsyncGenerator<ProgressEvent> {
    let next = 0;
    for (;;) {
      while (next < queue.length) yield queue[next++];
      if (finished) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    if (failure) throw failure.error;
  }

  let started = false;
  return {
    events: {
      [Symbol.asyncIterator]: () => {
        if (started) throw new Error('the events of a build can be iterated once');
        started = true;
        return events();
      },
    },
    result,
  };
}
