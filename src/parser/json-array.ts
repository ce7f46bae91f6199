import type { WordSpan } from './flag-words.js';

export type JsonArrayResult =
  | { kind: 'strings'; items: WordSpan[] }
  | { kind: 'not-strings' }
  | { kind: 'not-json' };

/**
 * BuildKit's exec-form test: the (left-trimmed) rest must start with `[` and be one valid JSON value. An array of
 * strings is exec form; valid JSON holding anything else is an error; anything that fails to decode falls back
 * to the shell form. Each string's span in the line is found by walking the text once more.
 */
export function parseJsonArray(line: string, from: number, to: number): JsonArrayResult {
  if (line.charCodeAt(from) !== 0x5b) return { kind: 'not-json' };
  let decoded: unknown;
  try {
    decoded = JSON.parse(line.slice(from, to));
  } catch {
    return { kind: 'not-json' };
  }
  if (!Array.isArray(decoded)) return { kind: 'not-json' };
  if (!decoded.every((item) => typeof item === 'string')) return { kind: 'not-strings' };
  const items: WordSpan[] = [];
  let index = from + 1;
  for (const value of decoded as string[]) {
    while (line.charCodeAt(index) !== 0x22) index++;
    const start = index;
    index++;
    while (line.charCodeAt(index) !== 0x22) index += line.charCodeAt(index) === 0x5c ? 2 : 1;
    index++;
    items.push({ value, start, end: index });
  }
  return { kind: 'strings', items };
}
