import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Authenticator, type AuthRequest } from './authenticator.js';
import type { CredentialProvider } from './credentials.js';
import { allowsPlainHttp, registryHost } from './endpoint.js';
import { RegistryError, RegistryErrorCode } from './errors.js';
import { defaultRetryPolicy, isTransientError, isTransientStatus, retryAfterMs, retrying, type RetryPolicy } from './retry.js';

/**
 * HTTP to registries on Node's fetch: the base URL (https, or http where allowed), authorization (see
 * Authenticator), retries of transient failures with backoff. A 401 that authorization cannot cure and a 403 end
 * here as RegistryErrors; every other answer goes back to the caller.
 */
export interface TransportOptions {
  credentials?: CredentialProvider;
  /** Registries (`host` or `host:port`) that may be reached over plain http. Loopback ones always may. */
  insecureRegistries?: readonly string[];
  retry?: Partial<RetryPolicy>;
  userAgent?: string;
  /** The fetch to use (default the global one). */
  fetch?: typeof fetch;
}

export type RequestBody = Uint8Array | Readable | string;

export interface RegistryRequest extends AuthRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A path under the registry (`/v2/...`) or an absolute URL (an upload Location). */
  path: string;
  headers?: Record<string, string>;
  /** Makes the body, once per attempt (a stream cannot be sent twice). */
  body?: () => RequestBody | Promise<RequestBody>;
  /** Retry transient failures (default true). */
  retry?: boolean;
}

export class RegistryTransport {
  readonly retryPolicy: RetryPolicy;
  readonly userAgent: string;
  private readonly fetch: typeof fetch;
  private readonly insecure: readonly string[];
  private readonly authenticator: Authenticator;
  private readonly bases = new Map<string, Promise<string>>();

  constructor(options: TransportOptions = {}) {
    this.retryPolicy = { ...defaultRetryPolicy, ...options.retry };
    this.userAgent = options.userAgent ?? 'build-image';
    this.fetch = options.fetch ?? globalThis.fetch;
    this.insecure = options.insecureRegistries ?? [];
    this.authenticator = new Authenticator(options.credentials ?? (async () => undefined), (url, init) => this.sendWithRetries(url, init, undefined), this.userAgent);
  }

  /** `https://host[:port]`, or `http://...` for a registry that may use plain http and does not speak TLS. */
  baseUrl(registry: string): Promise<string> {
    let base = this.bases.get(registry);
    if (!base) {
      base = this.chooseBase(registry);
      this.bases.set(registry, base);
    }
    return base;
  }

  private async chooseBase(registry: string): Promise<string> {
    const host = registryHost(registry);
    if (!allowsPlainHttp(registry, this.insecure)) return `https://${host}`;
    try {
      const response = await this.fetch(`https://${host}/v2/`, { method: 'GET', signal: AbortSignal.timeout(5_000), headers: { 'User-Agent': this.userAgent } });
      await response.body?.cancel();
      return `https://${host}`;
    } catch {
      return `http://${host}`;
    }
  }

  /**
   * request() for a body too large for fetch's web stream to be cheap (a blob): a 2xx answer's body comes as a Node
   * stream read over node:http(s) (see node-http.ts); other answers are handled as request() handles them. With a
   * fetch of the caller's (tests), that fetch is used.
   */
  async requestStream(request: RegistryRequest & { method: 'GET' }): Promise<{ response: Response; body: Readable | undefined }> {
    if (this.fetch !== globalThis.fetch) {
      const response = await this.request(request);
      return { response, body: response.ok && response.body ? Readable.fromWeb(response.body as WebReadableStream) : undefined };
    }
    let body: Readable | undefined;
    const response = await this.request(request, async (url, init) => {
      // node:http(s) is loaded by the first blob download only: a fully cached build never needs it.
      const { nodeRequest, readSmallBody } = await import('./node-http.js');
      const answer = await nodeRequest(String(url), 'GET', init?.headers as Record<string, string>);
      if (answer.status >= 200 && answer.status < 300) {
        body = answer.body;
        return new Response(null, { status: answer.status, headers: answer.headers });
      }
      const text = await readSmallBody(answer.body);
      return new Response(answer.status === 304 || text.length === 0 ? null : text, { status: answer.status, headers: answer.headers });
    });
    return { response, body };
  }

  /** Sends a request; see the class comment for what it takes care of. */
  async request(request: RegistryRequest, send: typeof fetch = this.fetch): Promise<Response> {
    const url = new URL(request.path, await this.baseUrl(request.registry)).href;
    const policy = request.retry === false ? { ...this.retryPolicy, retries: 0 } : this.retryPolicy;
    let authRetried = false;
    return retrying(policy, async (retry) => {
      // Sending again with new authorization is not a retry: no delay, and the attempt is not counted.
      for (;;) {
        const authorization = await this.authenticator.authorization(request);
        const headers: Record<string, string> = { 'User-Agent': this.userAgent, ...request.headers };
        if (authorization) headers.Authorization = authorization;
        const init: RequestInit & { duplex?: 'half' } = { method: request.method, headers, redirect: 'follow' };
        if (request.body) {
          init.body = (await request.body()) as NonNullable<RequestInit['body']>;
          init.duplex = 'half';
        }
        let response: Response;
        try {
          response = await send(url, init);
        } catch (error) {
          if (retry && isTransientError(error)) return retry();
          throw this.unreachable(request, error);
        }
        if (response.status === 401) {
          if (!authRetried && (await this.authenticator.unauthorized(request, response.headers.get('www-authenticate'), authorization))) {
            authRetried = true;
            await response.body?.cancel();
            continue;
          }
          throw await this.refused(request, response);
        }
        if (response.status === 403) throw await this.refused(request, response);
        if (retry && isTransientStatus(response.status)) {
          await response.body?.cancel();
          return retry(retryAfterMs(response.headers.get('retry-after')));
        }
        return response;
      }
    });
  }

  /** A fetch with transient failures retried: for token servers. */
  private sendWithRetries(url: string, init: RequestInit, reference: string | undefined): Promise<Response> {
    return retrying(this.retryPolicy, async (retry) => {
      try {
        const response = await this.fetch(url, init);
        if (retry && isTransientStatus(response.status)) {
          await response.body?.cancel();
          return retry(retryAfterMs(response.headers.get('retry-after')));
        }
        return response;
      } catch (error) {
        if (retry && isTransientError(error)) return retry();
        throw new RegistryError(RegistryErrorCode.Unreachable, `cannot reach the token server ${new URL(url).host}${reference ? ` for ${reference}` : ''}: ${networkReason(error)}`, {
          reference,
        });
      }
    });
  }

  /** An error for an answer the caller did not expect, with the registry's own error codes and messages. */
  async statusError(request: AuthRequest, response: Response, what: string): Promise<RegistryError> {
    const detail = await registryErrorText(response);
    const code =
      response.status === 404 ? RegistryErrorCode.NotFound : response.status === 401 ? RegistryErrorCode.Unauthorized : response.status === 403 ? RegistryErrorCode.Denied : isTransientStatus(response.status) ? RegistryErrorCode.Unreachable : RegistryErrorCode.Protocol;
    const message = `${what}: registry ${request.registry} answered HTTP ${response.status}${detail ? ` (${detail})` : ''}`;
    return new RegistryError(code, this.authenticator.redact(message), { registry: request.registry, reference: request.reference, status: response.status });
  }

  /** Strips any secret this transport handled from a text. */
  redact(text: string): string {
    return this.authenticator.redact(text);
  }

  private async refused(request: RegistryRequest, response: Response): Promise<RegistryError> {
    const detail = await registryErrorText(response);
    const about = request.reference ?? request.registry;
    const given = await this.authenticator.hasCredentials(request);
    const why =
      response.status === 403
        ? 'access denied'
        : given
          ? 'the credentials were rejected'
          : `authentication required and no credentials are configured for ${request.registry} (docker login, REGISTRY_AUTH_FILE, or the API's credentials)`;
    const message = `registry ${request.registry} refused ${request.method} for ${about}: ${why} (HTTP ${response.status}${detail ? `: ${detail}` : ''})`;
    return new RegistryError(response.status === 403 ? RegistryErrorCode.Denied : RegistryErrorCode.Unauthorized, this.authenticator.redact(message), {
      registry: request.registry,
      reference: request.reference,
      status: response.status,
    });
  }

  private unreachable(request: RegistryRequest, error: unknown): RegistryError {
    const about = request.reference ? ` for ${request.reference}` : '';
    return new RegistryError(RegistryErrorCode.Unreachable, this.authenticator.redact(`cannot reach registry ${request.registry}${about}: ${networkReason(error)}`), {
      registry: request.registry,
      reference: request.reference,
    });
  }
}

/** A network error in a few words: its code and message, without any request detail. */
export function networkReason(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    parts.push(code ? `${current.message} [${code}]` : current.message);
  }
  return parts.length > 0 ? parts.join(': ') : String(error);
}

/** The registry's error body (`{"errors":[{"code","message"}]}`) as `CODE: message; ...`, or empty. */
async function registryErrorText(response: Response): Promise<string> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return '';
  }
  try {
    const body = JSON.parse(text) as { errors?: Array<{ code?: unknown; message?: unknown }> };
    if (Array.isArray(body.errors)) {
      return body.errors
        .map((entry) => [entry.code, entry.message].filter((part) => typeof part === 'string' && part !== '').join(': '))
        .filter((entry) => entry !== '')
        .join('; ')
        .slice(0, 500);
    }
  } catch {
    // not JSON: not shown, it may be a whole HTML page
  }
  return '';
}
