import { isDigest } from './digest.js';
import { ImageErrorCode, ImageReferenceError } from './errors.js';

/**
 * Image references: where an image lives outside a registry. The syntax (documented in docs/image-references.md):
 *
 *   oci-layout://PATH[:TAG][@DIGEST]   an OCI layout directory (BuildKit's `--build-context name=oci-layout://...`
 *                                      form). The tag is what follows the last `:` when that contains no `/`; the
 *                                      digest names a manifest or index in the layout. `oci-layout:///abs/dir:v1`,
 *                                      `oci-layout://rel/dir@sha256:...`.
 *   oci:PATH[:TAG]                     the same, in skopeo's transport syntax (PATH has no `:`).
 *   oci-archive:PATH[:TAG]             a tar of an OCI layout (skopeo's syntax; PATH has no `:`).
 *   docker-archive:PATH[:NAME[:TAG]]   a `docker save` tarball (skopeo's syntax; PATH has no `:`). NAME[:TAG] picks
 *   docker-archive:PATH:@N             an image by its RepoTags (`:latest` when no tag), `@N` the N-th (from 0).
 *
 * With no tag, a location holding exactly one image means that image; a multi-platform image is then resolved by
 * platform.
 */
export type ImageTransport = 'oci-layout' | 'oci-archive' | 'docker-archive';

export interface ImageReference {
  transport: ImageTransport;
  /** As written (relative paths are taken from the working directory when used). */
  path: string;
  /**
   * oci-layout and oci-archive: the tag (index.json ref.name). docker-archive: the image's Docker reference
   * `name:tag`, as matched against (and written to) RepoTags.
   */
  tag?: string;
  /** oci-layout only: a manifest or index digest. */
  digest?: string;
  /** docker-archive only: the image's position in manifest.json. */
  index?: number;
}

const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}$/;
const refNamePattern = /^[A-Za-z0-9_][A-Za-z0-9_.:/+-]*$/;
const dockerComponent = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const dockerHost = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?$/;

/** Parses an image reference string (see the syntax above); throws ImageReferenceError. */
export function parseImageReference(text: string): ImageReference {
  const fail = (detail: string): never => {
    throw new ImageReferenceError(ImageErrorCode.InvalidReference, text, detail);
  };
  const colon = text.indexOf(':');
  if (colon <= 0) return fail('expected TRANSPORT:LOCATION, e.g. oci-layout:///path/to/layout:tag (see docs/image-references.md)');
  const transport = text.slice(0, colon);
  const rest = text.slice(colon + 1);

  switch (transport) {
    case 'oci-layout': {
      if (!rest.startsWith('//')) return fail('oci-layout references are oci-layout://PATH[:TAG][@DIGEST]');
      let location = rest.slice(2);
      const reference: ImageReference = { transport: 'oci-layout', path: '' };
      const at = location.lastIndexOf('@');
      if (at !== -1 && location.slice(at + 1).includes(':')) {
        const digest = location.slice(at + 1);
        if (!isDigest(digest)) fail(`"${digest}" is not a digest (sha256:<64 hex digits>)`);
        reference.digest = digest;
        location = location.slice(0, at);
      }
      const lastColon = location.lastIndexOf(':');
      if (lastColon !== -1 && !location.slice(lastColon + 1).includes('/')) {
        reference.tag = checkTag(location.slice(lastColon + 1), fail);
        location = location.slice(0, lastColon);
      }
      if (location === '') fail('the layout path is empty');
      reference.path = location;
      return reference;
    }
    case 'oci':
    case 'oci-archive': {
      const [location, tag] = splitFirst(rest);
      if (location === '') fail('the path is empty');
      const reference: ImageReference = { transport: transport === 'oci' ? 'oci-layout' : 'oci-archive', path: location };
      if (tag !== undefined) reference.tag = checkTag(tag, fail);
      return reference;
    }
    case 'docker-archive': {
      const [location, image] = splitFirst(rest);
      if (location === '') fail('the archive path is empty');
      const reference: ImageReference = { transport: 'docker-archive', path: location };
      if (image === undefined) return reference;
      if (image.startsWith('@')) {
        const index = Number(image.slice(1));
        if (!/^\d+$/.test(image.slice(1)) || !Number.isSafeInteger(index)) fail(`"${image}" is not @N (an image's position in the archive)`);
        reference.index = index;
        return reference;
      }
      reference.tag = parseDockerName(image, fail);
      return reference;
    }
    default:
      throw new ImageReferenceError(
        ImageErrorCode.UnsupportedTransport,
        text,
        `unknown transport "${transport}": use oci-layout://, oci:, oci-archive: or docker-archive: (see docs/image-references.md)`,
      );
  }
}

function splitFirst(text: string): [string, string | undefined] {
  const colon = text.indexOf(':');
  return colon === -1 ? [text, undefined] : [text.slice(0, colon), text.slice(colon + 1)];
}

function checkTag(tag: string, fail: (detail: string) => never): string {
  if (!refNamePattern.test(tag)) fail(`"${tag}" is not a valid tag`);
  return tag;
}

/** Checks a Docker image name `[host[:port]/]path[:tag]` and adds `:latest` when it has no tag. */
function parseDockerName(text: string, fail: (detail: string) => never): string {
  const slash = text.lastIndexOf('/');
  const colon = text.lastIndexOf(':');
  let name = text;
  let tag = 'latest';
  if (colon > slash) {
    name = text.slice(0, colon);
    tag = text.slice(colon + 1);
  }
  if (!tagPattern.test(tag)) fail(`"${tag}" is not a valid Docker tag`);
  const parts = name.split('/');
  const host = parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost') ? parts.shift() : undefined;
  if (host !== undefined && !dockerHost.test(host)) fail(`"${host}" is not a valid registry host`);
  if (parts.length === 0 || !parts.every((part) => dockerComponent.test(part))) {
    fail(`"${name}" is not a valid Docker image name (lower-case letters, digits and separators)`);
  }
  return `${name}:${tag}`;
}

/** The reference as a string, in the syntax parseImageReference reads. */
export function formatImageReference(reference: ImageReference): string {
  switch (reference.transport) {
    case 'oci-layout':
      return `oci-layout://${reference.path}${reference.tag !== undefined ? `:${reference.tag}` : ''}${reference.digest !== undefined ? `@${reference.digest}` : ''}`;
    case 'oci-archive':
      return `oci-archive:${reference.path}${reference.tag !== undefined ? `:${reference.tag}` : ''}`;
    case 'docker-archive':
      return `docker-archive:${reference.path}${reference.tag !== undefined ? `:${reference.tag}` : reference.index !== undefined ? `:@${reference.index}` : ''}`;
  }
}

/**
 * A Docker reference in full form (`docker.io/library/busybox:latest` for `busybox`), for comparing RepoTags
 * written by different tools.
 */
export function normalizeDockerReference(name: string): string {
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const withTag = colon > slash || name.includes('@') ? name : `${name}:latest`;
  const first = withTag.split('/')[0];
  const hasHost = withTag.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasHost) return withTag;
  return withTag.includes('/') ? `docker.io/${withTag}` : `docker.io/library/${withTag}`;
}

/** Checks a Docker `name[:tag]` (as written to a docker-archive's RepoTags) and adds `:latest` when it has no tag. */
export function checkRepoTag(text: string): string {
  return parseDockerName(text, (detail) => {
    throw new ImageReferenceError(ImageErrorCode.InvalidReference, text, detail);
  });
}
