/**
 * src/registry: a client of the OCI distribution API on Node's fetch (blob downloads on node:http, which costs less
 * CPU for large bodies). References parsed as Docker does; manifests and indexes fetched with the OCI and Docker
 * schema 2 types and verified; blobs streamed into the content store (verified, retried, resumed); pushes with HEAD,
 * cross-repository mounts, monolithic and chunked uploads; anonymous, basic and bearer-token auth with credentials
 * from the API, Docker's config (auths, credential helpers) and REGISTRY_AUTH_FILE. This file is the folder's only
 * door.
 */
export { RegistryError, RegistryErrorCode, InvalidReferenceError, type RegistryErrorDetails } from './errors.js';
export {
  parseReference,
  tryParseReference,
  formatReference,
  familiarReference,
  repositoryName,
  manifestSelector,
  isValidTag,
  dockerHubRegistry,
  type RegistryReference,
} from './reference.js';
export { RegistryClient, manifestAccept, type RegistryClientOptions, type FetchedManifest } from './client.js';
export { chainCredentials, explicitCredentials, type RegistryCredentials, type CredentialProvider, type ExplicitCredentials } from './credentials.js';
export { authFileCredentials, authFilePaths, type AuthFileOptions } from './auth-files.js';
export { runCredentialHelper } from './credential-helper.js';
export { parseWwwAuthenticate, type AuthChallenge } from './www-authenticate.js';
export { allowsPlainHttp, isLoopbackRegistry } from './endpoint.js';
export { defaultRetryPolicy, type RetryPolicy } from './retry.js';
export { downloadBlob } from './blob-download.js';
export { pushBlob, blobExists, type BlobUploadOptions, type BlobPushAction } from './blob-upload.js';
export { pullImage, type PullOptions, type PulledImage, type PullEvent } from './pull.js';
export { pushImage, type PushOptions, type PushResult, type PushEvent } from './push.js';
export { readResolution, recordResolution, resolutionsDir, type Resolution } from './resolutions.js';
