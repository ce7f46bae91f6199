/**
 * BuildKit's "(did you mean X?)" hint: the closest candidate within an edit distance below 3, the first one found
 * winning ties. An exact match means the value was not the problem, so no hint is given.
 */
function editDistance(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      const cost = left[i - 1] === right[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
    }
    previous = current;
  }
  return previous[right.length];
}

function matchCase(candidate: string, written: string): string {
  if (written === written.toLowerCase()) return candidate.toLowerCase();
  if (written === written.toUpperCase()) return candidate.toUpperCase();
  return candidate;
}

export function suggestion(value: string, candidates: readonly string[], caseSensitive: boolean): string | undefined {
  const wanted = caseSensitive ? value : value.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const option = caseSensitive ? candidate : candidate.toLowerCase();
    if (option === wanted) return undefined;
    const distance = editDistance(wanted, option);
    if (distance < bestDistance) {
      best = caseSensitive ? option : matchCase(option, value);
      bestDistance = distance;
    }
  }
  return best;
}

/** `message` with BuildKit's suggestion suffix when a candidate is close enough. */
export function withSuggestion(message: string, value: string, candidates: readonly string[], caseSensitive: boolean): string {
  const match = suggestion(value, candidates, caseSensitive);
  return match === undefined ? message : `${message} (did you mean ${match}?)`;
}
