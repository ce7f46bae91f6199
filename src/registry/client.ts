import { createHash, getHashes } from 'node:crypto';
import { documentKind, MediaType, maxDocumentSize, parseJson, type Descriptor } from '../image/index.js';
import { authFileCredentials, type AuthFileOptions } from './auth-files.js';
import { readBody, mediaTypeOf } from './body.js';
import { chainCredentials, explicitCredentials, type CredentialProvider, type ExplicitCredentials } from './credentials.js';
import { RegistryError, RegistryErrorCode } from './errors.js';
import { formatReference, manifestSelector, type RegistryReference } from './reference.js';
import { isTransientError, retrying } from './retry.js';
import { pullScope, pushScope } from './scopes.js';
import { networkReason, RegistryTransport, type TransportOptions } from './transport.js';

/** What a manifest GET asks for: OCI and Docker schema 2 manifests and indexes (no schema 1). */
export const manifestAccept = [MediaType.OciIndex, MediaType.OciManifest, MediaType.DockerManifestList, MediaType.DockerManifest].join(', ');

export interface RegistryClientOptions extends Omit<TransportOptions, 'credentials'> {
  /** Credentials from the API: a provider, or a map by registry host. They come before the auth files. */
  credentials?: CredentialProvider | ExplicitCredentials;
  /** Where to find ~/.docker/config.json and REGISTRY_AUTH_FILE (the CLI passes process.env and os.homedir()). */
  authFiles?: AuthFileOptions;
}

export interface FetchedManifest {
  /** Media type (from Content-Type, else the document's own), digest of the bytes received, and size. */
  descriptor: Descriptor;
  bytes: Buffer;
  /** The registry's Docker-Content-Digest header, when it sent one. */
  registryDigest: string | undefined;
}

/**
 * A client of the OCI distribution API (one per process is enough: it keeps the tokens and the schemes it learned).
 */
export class RegistryClient {
  readonly transport: RegistryTransport;

  constructor(options: RegistryClientOptions = {}) {
    const providers: CredentialProvider[] = [];
    if (typeof options.credentials === 'function') providers.push(options.credentials);
    else if (options.credentials) providers.push(explicitCredentials(options.credentials));
    if (options.authFiles) providers.push(authFileCredentials(options.authFiles));
    this.transport = new RegistryTransport({ ...options, credentials: chainCredentials(...providers) });
  }

  /** `GET /v2/`: checks that the registry speaks the API and that the credentials are accepted. */
  async ping(registry: string): Promise<void> {
    const request = { registry, scopes: [] as string[] };
    const response = await this.transport.request({ ...request, method: 'GET', path: '/v2/' });
    if (!response.ok) throw await this.transport.statusError(request, response, `registry ${registry} /v2/`);
    await response.body?.cancel();
  }

  /**
   * Fetches a manifest or index by the reference's digest (verified against it) or tag (its digest computed from
   * the bytes and checked against Docker-Content-Digest when the registry sends one).
   */
  async getManifest(reference: RegistryReference, options: { push?: boolean } = {}): Promise<FetchedManifest> {
    const what = formatReference(reference);
    const request = this.requestFor(reference, options.push ?? false);
    return retrying(this.transport.retryPolicy, async (retry) => {
      const response = await this.transport.request({ ...request, method: 'GET', path: manifestPath(reference), headers: { Accept: manifestAccept } });
      if (response.status === 404) throw await this.notFound(request, response, what);
      if (!response.ok) throw await this.transport.statusError(request, response, `manifest ${what}`);
      let bytes: Buffer;
      try {
        bytes = await readBody(response, maxDocumentSize, `manifest ${what}`, reference.registry);
      } catch (error) {
        if (retry && isTransientError(error)) return retry();
        if (error instanceof RegistryError) throw error;
        throw new RegistryError(RegistryErrorCode.Unreachable, `reading manifest ${what} from registry ${reference.registry} failed: ${networkReason(error)}`, {
          registry: reference.registry,
          reference: what,
        });
      }
      return checkManifest(reference, response, bytes);
    });
  }

  /** `HEAD` of a manifest: its descriptor as the registry states it, or undefined when it has none. */
  async headManifest(reference: RegistryReference): Promise<Descriptor | undefined> {
    const request = this.requestFor(reference, false);
    const response = await this.transport.request({ ...request, method: 'HEAD', path: manifestPath(reference), headers: { Accept: manifestAccept } });
    if (response.status === 404) return undefined;
    if (!response.ok) throw await this.transport.statusError(request, response, `manifest ${formatReference(reference)}`);
    const digest = response.headers.get('docker-content-digest') ?? reference.digest;
    const mediaType = mediaTypeOf(response.headers.get('content-type'));
    const size = Number(response.headers.get('content-length'));
    if (digest === undefined || mediaType === undefined || !Number.isSafeInteger(size)) {
      throw new RegistryError(RegistryErrorCode.Protocol, `registry ${reference.registry} answered HEAD of ${formatReference(reference)} without Docker-Content-Digest, Content-Type or Content-Length`, {
        registry: reference.registry,
        reference: formatReference(reference),
      });
    }
    return { mediaType, digest, size };
  }

  /** Puts a manifest or index under the reference's tag (or digest); returns the digest the registry states. */
  async putManifest(reference: RegistryReference, bytes: Uint8Array, mediaType: string, expectedDigest: string): Promise<string> {
    const what = formatReference(reference);
    const request = this.requestFor(reference, true);
    const selector = reference.tag ?? reference.digest ?? expectedDigest;
    const response = await this.transport.request({
      ...request,
      method: 'PUT',
      path: `/v2/${reference.repository}/manifests/${selector}`,
      headers: { 'Content-Type': mediaType },
      body: () => bytes,
    });
    if (response.status !== 201 && response.status !== 200) throw await this.transport.statusError(request, response, `pushing manifest ${what}`);
    await response.body?.cancel();
    const stated = response.headers.get('docker-content-digest') ?? expectedDigest;
    if (stated !== expectedDigest) {
      throw new RegistryError(RegistryErrorCode.DigestMismatch, `registry ${reference.registry} stored manifest ${what} as ${stated}, not ${expectedDigest}: it changed the document`, {
        registry: reference.registry,
        reference: what,
      });
    }
    return stated;
  }

  /** What a request about a reference says for auth and messages. */
  requestFor(reference: RegistryReference, push: boolean, extraScopes: readonly string[] = []): { registry: string; repository: string; scopes: string[]; reference: string } {
    return {
      registry: reference.registry,
      repository: reference.repository,
      scopes: [push ? pushScope(reference) : pullScope(reference), ...extraScopes],
      reference: formatReference(reference),
    };
  }

  private async notFound(request: { registry: string; reference: string; scopes: string[] }, response: Response, what: string): Promise<RegistryError> {
    const error = await this.transport.statusError(request, response, `manifest ${what}`);
    return new RegistryError(RegistryErrorCode.NotFound, `${what} not found in registry ${request.registry}: ${error.message}`, {
      registry: request.registry,
      reference: what,
      status: 404,
    });
  }
}

function manifestPath(reference: RegistryReference): string {
  return `/v2/${reference.repository}/manifests/${manifestSelector(reference)}`;
}

function checkManifest(reference: RegistryReference, response: Response, bytes: Buffer): FetchedManifest {
  const what = formatReference(reference);
  const registryDigest = response.headers.get('docker-content-digest') ?? undefined;
  const expected = reference.digest ?? registryDigest;
  const algorithm = expected?.split(':')[0] ?? 'sha256';
  if (!getHashes().includes(algorithm)) {
    throw new RegistryError(RegistryErrorCode.Protocol, `manifest ${what}: digest algorithm ${algorithm} is not supported`, { registry: reference.registry, reference: what });
  }
  const actual = `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
  if (expected !== undefined && actual !== expected) {
    const source = reference.digest !== undefined ? 'the reference names' : 'the registry stated (Docker-Content-Digest)';
    throw new RegistryError(RegistryErrorCode.DigestMismatch, `manifest ${what} from registry ${reference.registry} has digest ${actual}, not ${expected} as ${source}`, {
      registry: reference.registry,
      reference: what,
    });
  }
  let mediaType = mediaTypeOf(response.headers.get('content-type'));
  if (documentKind(mediaType) !== 'index' && documentKind(mediaType) !== 'manifest') {
    const document = parseJson(bytes, `manifest ${what}`) as { mediaType?: unknown };
    const kind = documentKind(undefined, document);
    if (kind !== 'index' && kind !== 'manifest') {
      throw new RegistryError(RegistryErrorCode.Protocol, `${what} in registry ${reference.registry} is not an image manifest or index (Content-Type ${mediaType ?? 'missing'}); schema 1 images are not supported`, {
        registry: reference.registry,
        reference: what,
      });
    }
    mediaType = typeof document.mediaType === 'string' ? document.mediaType : kind === 'index' ? MediaType.OciIndex : MediaType.OciManifest;
  }
  return { descriptor: { mediaType: mediaType as string, digest: actual, size: bytes.length }, bytes, registryDigest };
}
