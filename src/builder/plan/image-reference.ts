/**
 * Image references as BuildKit reads a FROM or `--from` value: distribution/reference's `ParseNormalizedNamed`
 * grammar, `TagNameOnly` (add `:latest`) and the familiar form (`alpine`, `user/app:1`) used to look up named
 * build contexts.
 */

const defaultDomain = 'docker.io';
const legacyDefaultDomain = 'index.docker.io';
const officialRepositoryPrefix = 'library/';
const maxNameLength = 255;

const pathComponent = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainComponent}(?:\\.${domainComponent})*`;
const host = `(?:${domainName}|\\[(?:[a-fA-F0-9:]+)\\])`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const tagPattern = '[\\w][\\w.-]{0,127}';
const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const namePattern = `(?:${domainAndPort}/)?${pathComponent}(?:/${pathComponent})*`;
const referenceRegExp = new RegExp(`^(${namePattern})(?::(${tagPattern}))?(?:@(${digestPattern}))?$`);
const identifierRegExp = /^[a-f0-9]{64}$/;

export interface ImageReference {
  /** Registry host (and port), `docker.io` for Docker Hub. */
  domain: string;
  /** Repository path, `library/alpine` for official images. */
  path: string;
  tag: string | undefined;
  digest: string | undefined;
}

export type ParseReferenceResult = { ok: true; reference: ImageReference } | { ok: false; message: string };

function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  let domain: string;
  let remainder: string;
  const first = slash === -1 ? '' : name.slice(0, slash);
  if (slash === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = defaultDomain;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(slash + 1);
  }
  if (domain === legacyDefaultDomain) domain = defaultDomain;
  if (domain === defaultDomain && !remainder.includes('/')) remainder = officialRepositoryPrefix + remainder;
  return { domain, remainder };
}

/** distribution/reference's `ParseNormalizedNamed`, with its error messages. */
export function parseImageReference(text: string): ParseReferenceResult {
  if (identifierRegExp.test(text)) {
    return { ok: false, message: `invalid repository name (${text}), cannot specify 64-byte hexadecimal strings` };
  }
  const { domain, remainder } = splitDockerDomain(text);
  const colon = remainder.indexOf(':');
  const remoteName = colon === -1 ? remainder : remainder.slice(0, colon);
  if (remoteName.toLowerCase() !== remoteName) {
    return { ok: false, message: `invalid reference format: repository name (${remoteName}) must be lowercase` };
  }
  const full = `${domain}/${remainder}`;
  const match = referenceRegExp.exec(full);
  if (match === null) {
    if (text === '') return { ok: false, message: 'repository name must have at least one component' };
    if (referenceRegExp.test(full.toLowerCase())) return { ok: false, message: 'invalid reference format: repository name must be lowercase' };
    return { ok: false, message: 'invalid reference format' };
  }
  const name = match[1];
  if (name.length > maxNameLength) {
    return { ok: false, message: `invalid reference format: repository name must not be more than ${maxNameLength} characters` };
  }
  const slash = name.indexOf('/');
  return {
    ok: true,
    reference: { domain: name.slice(0, slash), path: name.slice(slash + 1), tag: match[2], digest: match[3] },
  };
}

/** `TagNameOnly`: a reference without tag or digest gets `latest`. */
export function withDefaultTag(reference: ImageReference): ImageReference {
  return reference.tag === undefined && reference.digest === undefined ? { ...reference, tag: 'latest' } : reference;
}

/** The full form: `docker.io/library/alpine:latest`. */
export function formatReference(reference: ImageReference): string {
  return `${reference.domain}/${reference.path}${reference.tag === undefined ? '' : `:${reference.tag}`}${
    reference.digest === undefined ? '' : `@${reference.digest}`
  }`;
}

/** The familiar form Docker prints: `alpine:3.20`, `user/app`, `ghcr.io/o/r:1`. */
export function familiarReference(reference: ImageReference): string {
  let name = `${reference.domain}/${reference.path}`;
  if (reference.domain === defaultDomain) {
    name = reference.path;
    if (name.startsWith(officialRepositoryPrefix) && name.indexOf('/', officialRepositoryPrefix.length) === -1) {
      name = name.slice(officialRepositoryPrefix.length);
    }
  }
  return `${name}${reference.tag === undefined ? '' : `:${reference.tag}`}${reference.digest === undefined ? '' : `@${reference.digest}`}`;
}

/** The key BuildKit looks a named build context up by: the familiar form without `:latest`. */
export function contextLookupName(reference: ImageReference): string {
  const familiar = familiarReference(reference);
  return familiar.endsWith(':latest') ? familiar.slice(0, -':latest'.length) : familiar;
}
