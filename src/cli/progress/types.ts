import type { ProgressEvent } from '../../builder/types.js';

/** Turns the builder's progress events into something a person (or a program) reads on standard error. */
export interface ProgressRenderer {
  event(event: ProgressEvent): void;
  /**
   * The build is over (done, failed or canceled): stop timers, print the final state, the logs of failed steps and
   * the warnings. Call it once, before printing anything else on the same stream.
   */
  end(outcome?: RenderOutcome): void;
}

export interface RenderOutcome {
  /** The build was interrupted: steps still running are shown as CANCELED. */
  canceled?: boolean;
}

/** Time and timers, injectable so tests can drive the live view. */
export interface Clock {
  /** Milliseconds, on the same scale as ProgressEvent's `time` (Date.now()). */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return timer;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};
