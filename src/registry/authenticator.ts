import type { CredentialProvider, RegistryCredentials } from './credentials.js';
import { hasCredentials } from './credentials.js';
import { RegistryError, RegistryErrorCode } from './errors.js';
import { TokenCache } from './token-cache.js';
import { parseWwwAuthenticate, type AuthChallenge } from './www-authenticate.js';

/**
 * The Authorization header for a registry request. Nothing is sent until the registry asks (a 401 with
 * `WWW-Authenticate`); from then on every request to that registry carries Basic credentials, or a bearer token
 * for the request's scopes, fetched from the challenge's realm (`service`, `scope`; Basic credentials or an identity
 * token as a refresh token; anonymous when there are none) and cached until it expires.
 *
 * Every secret this object sends is remembered so that `redact` can strip it from any text that might echo it.
 */
export type SendRequest = (url: string, init: RequestInit) => Promise<Response>;

export interface AuthRequest {
  registry: string;
  repository?: string;
  /** Token scopes (`repository:a/b:pull,push`). */
  scopes: readonly string[];
  /** Names the image in messages. */
  reference?: string;
}

/** The spec's default and minimum token lifetime. */
const minimumTokenLifetimeMs = 60_000;

export class Authenticator {
  private readonly credentials: CredentialProvider;
  private readonly send: SendRequest;
  private readonly challenges = new Map<string, AuthChallenge>();
  private readonly tokens = new TokenCache();
  private readonly found = new Map<string, Promise<RegistryCredentials | undefined>>();
  private readonly secrets = new Set<string>();
  private readonly userAgent: string;

  constructor(credentials: CredentialProvider, send: SendRequest, userAgent: string) {
    this.credentials = credentials;
    this.send = send;
    this.userAgent = userAgent;
  }

  /** The header to send, or undefined when the registry has not asked for authentication (or there is none). */
  async authorization(request: AuthRequest): Promise<string | undefined> {
    const challenge = this.challenges.get(request.registry);
    if (!challenge) return undefined;
    const credentials = await this.credentialsFor(request);
    if (challenge.scheme === 'basic') {
      if (!credentials?.username && !credentials?.password) return undefined;
      return this.remember(`Basic ${Buffer.from(`${credentials.username ?? ''}:${credentials.password ?? ''}`).toString('base64')}`);
    }
    if (credentials?.registryToken) return this.remember(`Bearer ${credentials.registryToken}`);
    const key = TokenCache.key(request.registry, request.scopes);
    const cached = this.tokens.get(key);
    if (cached) return `Bearer ${cached}`;
    const { token, lifetimeMs } = await this.fetchToken(challenge, credentials, request);
    this.tokens.set(key, token, lifetimeMs);
    return this.remember(`Bearer ${token}`);
  }

  /**
   * Learns from a 401: returns true when the request is worth sending again with (new) authorization. `sent` is the
   * Authorization header the refused request carried.
   */
  async unauthorized(request: AuthRequest, wwwAuthenticate: string | null, sent: string | undefined): Promise<boolean> {
    const challenges = parseWwwAuthenticate(wwwAuthenticate ?? '');
    const challenge = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
    if (!challenge) return false;
    const known = this.challenges.get(request.registry);
    this.challenges.set(request.registry, challenge);
    this.tokens.delete(TokenCache.key(request.registry, request.scopes));
    if (sent === undefined) {
      if (challenge.scheme === 'bearer') return true;
      const credentials = await this.credentialsFor(request);
      return credentials !== undefined && hasCredentials(credentials);
    }
    // A cached bearer token can be refused because it expired early: a fresh one is worth a try; a new scheme too.
    return challenge.scheme === 'bearer' || known?.scheme !== challenge.scheme;
  }

  /** Whether credentials were found for the registry (for messages: "rejected" versus "none configured"). */
  async hasCredentials(request: AuthRequest): Promise<boolean> {
    const credentials = await this.credentialsFor(request);
    return credentials !== undefined && hasCredentials(credentials);
  }

  /** The text with every secret this authenticator handled replaced by `***`. */
  redact(text: string): string {
    let result = text;
    for (const secret of this.secrets) if (secret.length >= 4) result = result.split(secret).join('***');
    return result;
  }

  private remember(header: string): string {
    const space = header.indexOf(' ');
    this.secrets.add(header.slice(space + 1));
    return header;
  }

  private credentialsFor(request: AuthRequest): Promise<RegistryCredentials | undefined> {
    const key = `${request.registry}/${request.repository ?? ''}`;
    let found = this.found.get(key);
    if (!found) {
      found = this.credentials(request.registry, request.repository).then((credentials) => {
        for (const value of [credentials?.password, credentials?.identityToken, credentials?.registryToken]) if (value) this.secrets.add(value);
        if (credentials?.username !== undefined && credentials.password !== undefined) {
          this.secrets.add(Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64'));
        }
        return credentials;
      });
      found.catch(() => this.found.delete(key));
      this.found.set(key, found);
    }
    return found;
  }

  private async fetchToken(challenge: AuthChallenge, credentials: RegistryCredentials | undefined, request: AuthRequest): Promise<{ token: string; lifetimeMs: number }> {
    const realm = challenge.parameters.realm;
    const where = `the token server of ${request.registry}`;
    const about = request.reference ? ` for ${request.reference}` : '';
    let realmUrl: URL;
    try {
      realmUrl = new URL(realm ?? '');
      if (realmUrl.protocol !== 'https:' && realmUrl.protocol !== 'http:') throw new Error('scheme');
    } catch {
      throw new RegistryError(RegistryErrorCode.Protocol, `registry ${request.registry} asked for a bearer token without a valid realm URL`, { registry: request.registry, reference: request.reference });
    }
    const service = challenge.parameters.service;
    const headers: Record<string, string> = { 'User-Agent': this.userAgent, Accept: 'application/json' };
    let response: Response;
    if (credentials?.identityToken) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.identityToken, client_id: 'build-image' });
      if (service) form.set('service', service);
      if (request.scopes.length > 0) form.set('scope', request.scopes.join(' '));
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      response = await this.send(realmUrl.href, { method: 'POST', headers, body: form.toString() });
    } else {
      if (service) realmUrl.searchParams.set('service', service);
      for (const scope of request.scopes) realmUrl.searchParams.append('scope', scope);
      if (credentials?.username || credentials?.password) {
        headers.Authorization = `Basic ${Buffer.from(`${credentials.username ?? ''}:${credentials.password ?? ''}`).toString('base64')}`;
      }
      response = await this.send(realmUrl.href, { method: 'GET', headers });
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      const given = credentials !== undefined && hasCredentials(credentials);
      throw new RegistryError(
        RegistryErrorCode.Unauthorized,
        `${where} refused a token${about} (HTTP ${response.status}): ${given ? 'the credentials were rejected' : 'no credentials are configured for this registry'}`,
        { registry: request.registry, reference: request.reference, status: response.status },
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new RegistryError(RegistryErrorCode.Protocol, `${where} answered HTTP ${response.status} to a token request${about}`, {
        registry: request.registry,
        reference: request.reference,
        status: response.status,
      });
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new RegistryError(RegistryErrorCode.Protocol, `${where} sent a token response that is not JSON`, { registry: request.registry, reference: request.reference });
    }
    const token = typeof body.token === 'string' && body.token !== '' ? body.token : typeof body.access_token === 'string' ? body.access_token : '';
    if (token === '') throw new RegistryError(RegistryErrorCode.Protocol, `${where} sent a token response without a token`, { registry: request.registry, reference: request.reference });
    this.secrets.add(token);
    const expiresInMs = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in * 1000 : minimumTokenLifetimeMs;
    const issuedAt = typeof body.issued_at === 'string' ? Date.parse(body.issued_at) : Number.NaN;
    const age = Number.isNaN(issuedAt) ? 0 : Math.max(0, Date.now() - issuedAt);
    return { token, lifetimeMs: Math.max(minimumTokenLifetimeMs, expiresInMs) - age };
  }
}
