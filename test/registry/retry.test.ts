import { describe, expect, it } from 'vitest';
import { isTransientError, retrying, type Retry, type RetryPolicy, type RetryRequest } from '../../src/registry/retry.js';

const policy: RetryPolicy = { retries: 3, initialDelayMs: 1, maxDelayMs: 5 };

/** A delay function that records what it is given and waits nothing. */
function recordingDelays(): { delays: Array<[number, number | undefined]>; delayFor: (index: number, retryAfterMs: number | undefined) => number } {
  const delays: Array<[number, number | undefined]> = [];
  return { delays, delayFor: (index, retryAfterMs) => (delays.push([index, retryAfterMs]), 0) };
}

/** An attempt as the call sites write it: transient errors are retried while `retry` is given, others thrown. */
function failing(errors: unknown[], seen: Array<{ index: number; canRetry: boolean }>) {
  return async (retry: RetryRequest, index: number): Promise<string | Retry> => {
    seen.push({ index, canRetry: retry !== undefined });
    try {
      if (errors.length > 0) throw errors.shift();
      return 'done';
    } catch (error) {
      if (retry && isTransientError(error)) return retry();
      throw error;
    }
  };
}

const reset = (): Error => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

describe('retrying', () => {
  it('returns the first result without delay', async () => {
    const { delays, delayFor } = recordingDelays();
    const seen: Array<{ index: number; canRetry: boolean }> = [];
    await expect(retrying(policy, failing([], seen), delayFor)).resolves.toBe('done');
    expect(seen).toEqual([{ index: 0, canRetry: true }]);
    expect(delays).toEqual([]);
  });

  it('counts attempts and gives the delay function the index of each retry', async () => {
    const { delays, delayFor } = recordingDelays();
    const seen: Array<{ index: number; canRetry: boolean }> = [];
    await expect(retrying(policy, failing([reset(), reset()], seen), delayFor)).resolves.toBe('done');
    expect(seen.map((attempt) => attempt.index)).toEqual([0, 1, 2]);
    expect(delays).toEqual([
      [0, undefined],
      [1, undefined],
    ]);
  });

  it('passes a Retry-After to the delay function', async () => {
    const { delays, delayFor } = recordingDelays();
    const answers = [2000, 0];
    const result = await retrying(policy, async (retry) => (retry && answers.length > 0 ? retry(answers.shift()) : 'ok'), delayFor);
    expect(result).toBe('ok');
    expect(delays).toEqual([
      [0, 2000],
      [1, 0],
    ]);
  });

  it('does not retry an error the attempt does not ask to retry', async () => {
    const { delays, delayFor } = recordingDelays();
    const seen: Array<{ index: number; canRetry: boolean }> = [];
    const denied = new Error('permission denied');
    await expect(retrying(policy, failing([denied, reset()], seen), delayFor)).rejects.toBe(denied);
    expect(seen).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('gives up after policy.retries retries: the last attempt gets no retry and fails its own way', async () => {
    const { delays, delayFor } = recordingDelays();
    const seen: Array<{ index: number; canRetry: boolean }> = [];
    const errors = [reset(), reset(), reset(), reset(), reset()];
    const last = errors[3];
    await expect(retrying(policy, failing(errors, seen), delayFor)).rejects.toBe(last);
    expect(seen).toEqual([
      { index: 0, canRetry: true },
      { index: 1, canRetry: true },
      { index: 2, canRetry: true },
      { index: 3, canRetry: false },
    ]);
    expect(delays.map(([index]) => index)).toEqual([0, 1, 2]);
  });

  it('with no retries, makes one attempt that cannot retry', async () => {
    const seen: Array<{ index: number; canRetry: boolean }> = [];
    const error = reset();
    await expect(retrying({ ...policy, retries: 0 }, failing([error], seen))).rejects.toBe(error);
    expect(seen).toEqual([{ index: 0, canRetry: false }]);
  });

  it('sleeps the policy backoff by default, with a Retry-After capped by maxDelayMs', async () => {
    const started = Date.now();
    let attempts = 0;
    const result = await retrying({ retries: 2, initialDelayMs: 1, maxDelayMs: 20 }, async (retry) => (++attempts === 1 && retry ? retry(60_000) : attempts));
    expect(result).toBe(2);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(15);
    expect(elapsed).toBeLessThan(5_000);
  });
});
