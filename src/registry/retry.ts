/**
 * Retries of transient failures: connection errors, 408, 429 and 5xx answers. Delays grow exponentially from
 * `initialDelayMs` (with jitter, so that many clients do not retry in step), capped by `maxDelayMs`; a server's
 * `Retry-After` is honoured up to that cap.
 */
export interface RetryPolicy {
  /** How many times a failed request is tried again (default 4). */
  retries: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { retries: 4, initialDelayMs: 250, maxDelayMs: 10_000 };

const transientStatuses = new Set([408, 429, 500, 502, 503, 504]);

const transientErrorCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export function isTransientStatus(status: number): boolean {
  return transientStatuses.has(status);
}

/** Whether a thrown error is a network failure worth retrying (fetch's "fetch failed", a body cut short...). */
export function isTransientError(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (code !== undefined && transientErrorCodes.has(code)) return true;
    if (current.name === 'TimeoutError') return true;
    if (current.name === 'TypeError' && (current.message === 'terminated' || current.message === 'fetch failed') && current.cause === undefined) return true;
  }
  return false;
}

/** The delay before retry number `attempt` (0 for the first retry). */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** A `Retry-After` header in milliseconds (seconds or an HTTP date), or undefined. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What an attempt returns to ask retrying() for another one (made by its RetryRequest). */
export class Retry {
  constructor(readonly retryAfterMs: number | undefined) {}
}

/** Asks for another attempt, after the server's `Retry-After` (ms) when given; undefined on the last attempt. */
export type RetryRequest = ((retryAfterMs?: number) => Retry) | undefined;

/**
 * Runs `attempt` (given its index, from 0) until it returns a result, at most `policy.retries + 1` times, sleeping
 * `delayFor(index, retryAfterMs)` before each retry. The attempt itself decides what is worth retrying and returns
 * `retry(...)` for that, so that errors outside its try blocks are never retried. `retry` is undefined on the last
 * attempt, which then gives up its own way (throws, or returns the failed answer).
 */
export async function retrying<T>(
  policy: RetryPolicy,
  attempt: (retry: RetryRequest, index: number) => Promise<T | Retry>,
  delayFor = (index: number, retryAfterMs: number | undefined): number => backoffDelay(policy, index, retryAfterMs),
): Promise<T> {
  for (let index = 0; ; index++) {
    const retry: RetryRequest = index < policy.retries ? (retryAfterMs) => new Retry(retryAfterMs) : undefined;
    const result = await attempt(retry, index);
    if (!(result instanceof Retry)) return result;
    await sleep(delayFor(index, result.retryAfterMs));
  }
}
