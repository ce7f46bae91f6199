/** Go's `path.Clean`: the shortest equivalent slash path (`/a/b/../c/` → `/a/c`, `` → `.`). */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!rooted) parts.push('..');
      continue;
    }
    parts.push(part);
  }
  const joined = parts.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** Go's `path.Join`: the non-empty elements joined with `/` and cleaned. */
export function joinPath(...elements: string[]): string {
  const nonEmpty = elements.filter((element) => element !== '');
  return nonEmpty.length === 0 ? '' : cleanPath(nonEmpty.join('/'));
}

/**
 * BuildKit's `system.NormalizeWorkdir` for Linux: a relative WORKDIR is joined to the current one (default `/`)
 * and cleaned; an absolute one is kept exactly as written (`/app/` stays `/app/`); an empty one keeps the
 * current directory.
 */
export function normalizeWorkdir(current: string | undefined, requested: string): string {
  let parent = current === undefined || current === '' ? '/' : current;
  if (!parent.startsWith('/')) parent = joinPath('/', parent);
  if (requested === '') return parent;
  return requested.startsWith('/') ? requested : joinPath(parent, requested);
}
