import { codePointAt, codePointWidth } from './chars.js';
import { compileGlob } from './glob-pattern.js';
import { compileTemplate, fillTemplate } from './replace-template.js';

/** `${V#p}` / `${V##p}`: removes the shortest (longest when `greedy`) prefix matching `pattern`. */
export function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const glob = compileGlob(pattern, false);
  if (glob.literal !== null) return value.startsWith(glob.literal) ? value.slice(glob.literal.length) : value;
  const matcher = glob.matcher;
  return matcher.find(value, 0, true, greedy, false) ? value.slice(matcher.matchEnd) : value;
}

/** `${V%p}` / `${V%%p}`: removes the shortest (longest when `greedy`) suffix matching `pattern`. */
export function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  const glob = compileGlob(pattern, true);
  if (glob.literal !== null) {
    return value.endsWith(glob.literal) ? value.slice(0, value.length - glob.literal.length) : value;
  }
  const matcher = glob.matcher;
  return matcher.find(value, value.length, true, greedy, true) ? value.slice(0, matcher.matchEnd) : value;
}

/** `${V/p/r}`: replaces the leftmost longest match; `replacement` is inserted as is. */
export function replaceFirst(pattern: string, value: string, replacement: string): string {
  const glob = compileGlob(pattern, false);
  if (glob.literal !== null) {
    const index = value.indexOf(glob.literal);
    return index < 0 ? value : value.slice(0, index) + replacement + value.slice(index + glob.literal.length);
  }
  const matcher = glob.matcher;
  if (!matcher.find(value, 0, false, true, false)) return value;
  return value.slice(0, matcher.matchStart) + replacement + value.slice(matcher.matchEnd);
}

/**
 * `${V//p/r}`: Go's `ReplaceAllString` — non-overlapping leftmost matches, an empty match
 * right after a previous match is skipped, and `$0`/`$$` in the replacement are expanded.
 */
export function replaceAll(pattern: string, value: string, replacement: string): string {
  const glob = compileGlob(pattern, false);
  const template = compileTemplate(replacement);
  if (glob.literal !== null && glob.literal.length > 0) {
    return value.split(glob.literal).join(fillTemplate(template, glob.literal));
  }
  const matcher = glob.matcher;
  const end = value.length;
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= end) {
    if (!matcher.find(value, searchPos, false, true, false)) break;
    const start = matcher.matchStart;
    const stop = matcher.matchEnd;
    out += value.slice(lastMatchEnd, start);
    if (stop > lastMatchEnd || start === 0) out += fillTemplate(template, value.slice(start, stop));
    lastMatchEnd = stop;
    const width = searchPos < end ? codePointWidth(codePointAt(value, searchPos)) : 0;
    if (searchPos + width > stop) searchPos += width;
    else if (searchPos + 1 > stop) searchPos += 1;
    else searchPos = stop;
  }
  return out + value.slice(lastMatchEnd);
}
