/**
 * Layer-relative paths: validation, the whiteout naming convention, and the deterministic entry order.
 */

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';
/** AUFS metadata entries (`.wh..wh.plnk`, …) share this prefix; appliers skip them. */
export const WHITEOUT_META_PREFIX = '.wh..wh.';

/** Why `path` is not a clean layer-relative path, or undefined when it is one. */
export function layerPathProblem(path: string): string | undefined {
  if (path === '') return 'the path is empty';
  if (path.startsWith('/')) return 'the path is absolute';
  if (path.endsWith('/')) return 'the path ends with a slash';
  if (path.includes('\0')) return 'the path contains a NUL byte';
  for (const component of path.split('/')) {
    if (component === '') return 'the path has an empty component';
    if (component === '.' || component === '..') return `the path has a '${component}' component`;
  }
  return undefined;
}

/**
 * A name from a tar archive as a clean layer-relative path: `./` prefixes, empty and `.` components dropped,
 * '' for the root itself. Undefined when the name could leave the root (absolute, `..`) or contains NUL.
 */
export function cleanArchivePath(name: string): string | undefined {
  if (name.startsWith('/') || name.includes('\0')) return undefined;
  const components = name.split('/').filter((component) => component !== '' && component !== '.');
  return components.includes('..') ? undefined : components.join('/');
}

export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

export function baseNameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function joinLayerPath(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}

export function whiteoutPathFor(deletedPath: string): string {
  return joinLayerPath(parentOf(deletedPath), WHITEOUT_PREFIX + baseNameOf(deletedPath));
}

export function opaqueWhiteoutPathFor(directory: string): string {
  return joinLayerPath(directory, OPAQUE_WHITEOUT);
}

/** Compares two strings by Unicode code point, which is the order of their UTF-8 bytes (Go's string order). */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (0xD800–0xDFFF) encode code points above 0xFFFF, which sort after every BMP character.
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * Entry order of a layer: component by component, so a directory's entries follow it contiguously and parents
 * come before children; within a directory the opaque marker comes first, then names in byte order.
 */
export function compareLayerPaths(a: string, b: string): number {
  const left = a.split('/');
  const right = b.split('/');
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const x = left[i];
    const y = right[i];
    if (x === y) continue;
    if (x === OPAQUE_WHITEOUT) return -1;
    if (y === OPAQUE_WHITEOUT) return 1;
    return compareCodePoints(x, y);
  }
  return left.length - right.length;
}
