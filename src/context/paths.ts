/**
 * Root-relative posix paths as Go's path package treats them: `Clean`, `TrimSpace`, joining, and the order
 * in which a walk lists a tree (parents before children, names compared as UTF-8 bytes).
 *
 * The root itself is `.`; every other path is relative, without `./`, leading or trailing slashes.
 */

/** Go's `path.Clean`: shortest equivalent path by lexical processing (`//`, `.`, `..` removed). */
export function goClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** Go's `unicode.IsSpace`. */
function isGoSpace(code: number): boolean {
  switch (code) {
    case 0x09:
    case 0x0a:
    case 0x0b:
    case 0x0c:
    case 0x0d:
    case 0x20:
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
      return true;
    default:
      return code >= 0x2000 && code <= 0x200a;
  }
}

/** Go's `strings.TrimSpace` (Unicode white space, unlike JS `trim` no BOM). */
export function goTrimSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isGoSpace(s.charCodeAt(start))) start++;
  while (end > start && isGoSpace(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

export function joinPath(parent: string, name: string): string {
  return parent === '.' || parent === '' ? name : `${parent}/${name}`;
}

export function parentPath(p: string): string {
  const slash = p.lastIndexOf('/');
  return slash === -1 ? '.' : p.slice(0, slash);
}

/** `rel` below `base` (`.` for base itself), or undefined when `rel` is not inside `base`. */
export function relativeTo(base: string, rel: string): string | undefined {
  if (base === '.') return rel;
  if (rel === base) return '.';
  return rel.charCodeAt(base.length) === 0x2f && rel.startsWith(base) ? rel.slice(base.length + 1) : undefined;
}

/** Sort key of a UTF-16 code unit that orders strings by code point (= UTF-8 byte order). */
function unitKey(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/** Compares names as Go compares strings (UTF-8 bytes). */
export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return unitKey(x) - unitKey(y);
  }
  return a.length - b.length;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Sorts `items` in place by `name` with compareNames. */
export function sortByName<T extends { readonly name: string }>(items: T[]): T[] {
  // Without surrogates (characters beyond U+FFFF) UTF-16 order is code point order, and the native comparison is
  // much cheaper than compareNames' loop.
  if (items.some((item) => SURROGATE.test(item.name))) return items.sort((a, b) => compareNames(a.name, b.name));
  return items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Tree order: a directory comes right before its descendants, siblings by name. It is byte order with `/`
 * sorting before every other character (BuildKit's content-hash tree keys paths the same way).
 */
export function comparePaths(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x === 0x2f) return -1;
    if (y === 0x2f) return 1;
    return unitKey(x) - unitKey(y);
  }
  return a.length - b.length;
}

/** Unicode code points of `s` (Go ranges over runes, not UTF-16 units). */
export function codePoints(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) out.push(ch.codePointAt(0) as number);
  return out;
}
