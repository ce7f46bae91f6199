import { InvalidReferenceError } from './errors.js';

/**
 * Image references in a registry, parsed and normalised as Docker's reference library (distribution/reference
 * `ParseNormalizedNamed`, `TagNameOnly`, go-digest's validation) does, with its error messages:
 *
 *   alpine                        → docker.io/library/alpine:latest
 *   user/app:1                    → docker.io/user/app:1
 *   index.docker.io/library/x     → docker.io/library/x:latest
 *   localhost:5000/a/b            → localhost:5000/a/b:latest
 *   ghcr.io/o/r:1@sha256:<hex>    → tag and digest both kept; the digest is what is pulled.
 *
 * The first path component is a registry host when it contains a `.` or a `:`, is `localhost`, or has an upper-case
 * letter; otherwise the image is on Docker Hub. Repository paths are lower-case.
 */
export interface RegistryReference {
  /** Registry host (and port), `docker.io` for Docker Hub. */
  registry: string;
  /** Repository path in the registry, `library/alpine` for official images. */
  repository: string;
  tag?: string;
  digest?: string;
}

export const dockerHubRegistry = 'docker.io';
const legacyDockerHubRegistry = 'index.docker.io';
const officialRepositoryPrefix = 'library/';
const maxNameLength = 255;

const pathComponent = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const host = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[(?:[a-fA-F0-9:]+)\\])`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const name = `(?:${domainAndPort}/)?${pathComponent}(?:/${pathComponent})*`;
const referencePattern = new RegExp(`^(${name})(?::(${tag}))?(?:@(${digest}))?$`);
const tagPattern = new RegExp(`^${tag}$`);
const identifierPattern = /^[a-f0-9]{64}$/;

/** go-digest's registered algorithms and the length of their hex encodings. */
const digestHexLengths: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/**
 * Parses a reference as `docker pull` does. Without tag or digest the tag is `latest` (unless `defaultTag` is false).
 * Throws InvalidReferenceError (REGISTRY_INVALID_REFERENCE) with the message Docker gives.
 */
export function parseReference(text: string, options: { defaultTag?: boolean } = {}): RegistryReference {
  const fail = (detail: string): never => {
    throw new InvalidReferenceError(text, detail);
  };
  if (identifierPattern.test(text)) fail(`invalid repository name (${text}), cannot specify 64-byte hexadecimal strings`);
  const { registry, remainder } = splitRegistry(text);
  const colon = remainder.indexOf(':');
  const remoteName = colon === -1 ? remainder : remainder.slice(0, colon);
  if (remoteName.toLowerCase() !== remoteName) fail(`invalid reference format: repository name (${remoteName}) must be lowercase`);

  const full = `${registry}/${remainder}`;
  const match = referencePattern.exec(full);
  if (match === null) {
    if (referencePattern.test(full.toLowerCase())) fail('invalid reference format: repository name must be lowercase');
    return fail('invalid reference format');
  }
  const [, fullName, tagText, digestText] = match;
  if (fullName.length > maxNameLength) fail(`repository name must not be more than ${maxNameLength} characters`);
  if (digestText !== undefined) {
    const problem = digestProblem(digestText);
    if (problem) fail(problem);
  }
  const slash = fullName.indexOf('/');
  const reference: RegistryReference = { registry: fullName.slice(0, slash), repository: fullName.slice(slash + 1) };
  if (tagText !== undefined) reference.tag = tagText;
  if (digestText !== undefined) reference.digest = digestText;
  if (options.defaultTag !== false && reference.tag === undefined && reference.digest === undefined) reference.tag = 'latest';
  return reference;
}

/** The parsed reference, or the message Docker would give: for callers that report errors their own way. */
export function tryParseReference(text: string, options: { defaultTag?: boolean } = {}): { ok: true; reference: RegistryReference } | { ok: false; message: string } {
  try {
    return { ok: true, reference: parseReference(text, options) };
  } catch (error) {
    if (error instanceof InvalidReferenceError) return { ok: false, message: error.detail };
    throw error;
  }
}

function splitRegistry(text: string): { registry: string; remainder: string } {
  const slash = text.indexOf('/');
  const first = slash === -1 ? '' : text.slice(0, slash);
  let registry: string;
  let remainder: string;
  if (slash === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    registry = dockerHubRegistry;
    remainder = text;
  } else {
    registry = first;
    remainder = text.slice(slash + 1);
  }
  if (registry === legacyDockerHubRegistry) registry = dockerHubRegistry;
  if (registry === dockerHubRegistry && !remainder.includes('/')) remainder = officialRepositoryPrefix + remainder;
  return { registry, remainder };
}

/** go-digest's `Digest.Validate`: undefined when valid, else its message. */
function digestProblem(value: string): string | undefined {
  const colon = value.indexOf(':');
  const algorithm = value.slice(0, colon);
  const encoded = value.slice(colon + 1);
  const length = digestHexLengths[algorithm];
  if (length === undefined) return 'unsupported digest algorithm';
  if (encoded.length !== length) return 'invalid checksum digest length';
  if (!/^[a-f0-9]+$/.test(encoded)) return 'invalid checksum digest format';
  return undefined;
}

/** Whether a string is a valid tag. */
export function isValidTag(text: string): boolean {
  return tagPattern.test(text);
}

/** The full form: `docker.io/library/alpine:latest`, `localhost:5000/a@sha256:...`. */
export function formatReference(reference: RegistryReference): string {
  return `${reference.registry}/${reference.repository}${reference.tag === undefined ? '' : `:${reference.tag}`}${reference.digest === undefined ? '' : `@${reference.digest}`}`;
}

/** The familiar form Docker prints: `alpine:3.20`, `user/app`, `ghcr.io/o/r:1`. */
export function familiarReference(reference: RegistryReference): string {
  let text = `${reference.registry}/${reference.repository}`;
  if (reference.registry === dockerHubRegistry) {
    text = reference.repository;
    if (text.startsWith(officialRepositoryPrefix) && !text.slice(officialRepositoryPrefix.length).includes('/')) text = text.slice(officialRepositoryPrefix.length);
  }
  return `${text}${reference.tag === undefined ? '' : `:${reference.tag}`}${reference.digest === undefined ? '' : `@${reference.digest}`}`;
}

/** `registry/repository`: the repository a reference is in. */
export function repositoryName(reference: RegistryReference): string {
  return `${reference.registry}/${reference.repository}`;
}

/** What a manifest request names: the digest when there is one (a digest wins over a tag), else the tag. */
export function manifestSelector(reference: RegistryReference): string {
  return reference.digest ?? reference.tag ?? 'latest';
}
