import { expandWordWithMatches } from '../../parser/index.js';
import { BuildErrorCode, ImageReferenceError, StageResolutionError, type BuildErrorLocation } from '../errors.js';
import { formatReference, tryParseReference } from '../../registry/index.js';
import { contextLookupName } from './image-reference.js';
import { formatPlatformAll, type Platform } from './platform.js';
import { closestName } from './suggest.js';
import type { SourceRef } from './types.js';

/** The stage names known at some point of the file: lower-cased name → index; a later stage replaces an earlier one. */
export type StageNames = ReadonlyMap<string, number>;

/**
 * Looks a name up among the `--build-context` values the way BuildKit's `NamedContext` does: by the familiar
 * reference without `:latest`, first with `::os/arch[/variant]` appended, then alone. `scratch` and `context`
 * are never looked up.
 */
export function findBuildContext(
  name: string,
  contexts: ReadonlyMap<string, string>,
  platform: Platform,
): { name: string; value: string } | undefined {
  if (contexts.size === 0) return undefined;
  const lower = name.toLowerCase();
  if (lower === 'scratch' || lower === 'context') return undefined;
  const parsed = tryParseReference(name);
  if (!parsed.ok) return undefined;
  const key = contextLookupName(parsed.reference);
  for (const candidate of [`${key}::${formatPlatformAll(platform)}`, key]) {
    const value = contexts.get(candidate);
    if (value !== undefined) return { name: candidate, value };
  }
  return undefined;
}

export interface ResolveContext {
  contexts: ReadonlyMap<string, string>;
  /** The platform an image would be pulled for. */
  platform: Platform;
  location: BuildErrorLocation;
  /** Stage names, for a "did you mean" hint. */
  stageNames: readonly string[];
}

function invalidReferenceHint(text: string, context: ResolveContext): string {
  const lower = text.toLowerCase();
  if (context.stageNames.includes(lower)) {
    return `Stage "${lower}" exists: FROM matches stage names exactly, in lower case (as BuildKit), so write ${lower}`;
  }
  const close = closestName(lower, context.stageNames);
  const valid = 'use a valid image reference such as alpine:3.20 or registry.example.com/team/app@sha256:...';
  return close === undefined ? `Name an earlier stage or ${valid}` : `Did you mean stage "${close}"? Otherwise ${valid}`;
}

/** An image name (or `scratch`, or a named context) BuildKit would resolve; an invalid reference is an error. */
export function resolveImageSource(text: string, context: ResolveContext): SourceRef {
  if (text === 'scratch') return { kind: 'scratch' };
  const parsed = tryParseReference(text);
  if (!parsed.ok) {
    const hint = invalidReferenceHint(text, context);
    throw new ImageReferenceError(BuildErrorCode.InvalidImageReference, `failed to parse stage name ${JSON.stringify(text)}: ${parsed.message}`, {
      location: context.location,
      hint,
    });
  }
  const named = findBuildContext(text, context.contexts, context.platform);
  if (named !== undefined) return { kind: 'context', name: named.name, value: named.value };
  return { kind: 'image', reference: text, normalized: formatReference(parsed.reference) };
}

/** Go's `strconv.Atoi` on the text, or undefined when it is not an integer. */
function atoi(text: string): number | undefined {
  return /^[+-]?[0-9]+$/.test(text) ? Number.parseInt(text, 10) : undefined;
}

/**
 * `COPY --from=`: BuildKit refuses variables, then reads an integer as a stage index, a stage name
 * case-insensitively, and anything else as an image (or named context).
 */
export function resolveCopyFrom(text: string, names: StageNames, stageCount: number, context: ResolveContext): SourceRef {
  if (expandWordWithMatches(text, () => undefined).value !== text) {
    throw new StageResolutionError(
      BuildErrorCode.VariableInFrom,
      'variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround',
      { location: context.location, hint: `Add a stage "FROM \${YOUR_ARG} AS source" and write --from=source instead of --from=${text}` },
    );
  }
  const index = atoi(text);
  if (index !== undefined) {
    if (index < 0 || index >= stageCount) {
      throw new StageResolutionError(BuildErrorCode.InvalidStageIndex, `invalid stage index ${index}`, {
        location: context.location,
        hint: `Stages are numbered from 0 to ${stageCount - 1} in file order; use one of those or a stage name`,
      });
    }
    return { kind: 'stage', stage: index };
  }
  const stage = names.get(text.toLowerCase());
  if (stage !== undefined) return { kind: 'stage', stage };
  return resolveImageSource(text, context);
}

/** `RUN --mount from=`: a stage by name (case-insensitively), else an image (no indexes, as BuildKit). */
export function resolveMountFrom(text: string, names: StageNames, context: ResolveContext): SourceRef {
  const stage = names.get(text.toLowerCase());
  if (stage !== undefined) return { kind: 'stage', stage };
  return resolveImageSource(text, context);
}
