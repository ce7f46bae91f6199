import type { FromInstruction } from '../../parser/index.js';
import { BuildErrorCode, PlatformError, StageResolutionError } from '../errors.js';
import { parsePlatform, type Platform } from './platform.js';
import { findBuildContext, resolveImageSource, type StageNames } from './stage-sources.js';
import type { SourceRef, StagePlan } from './types.js';
import { WordExpander } from './word-expander.js';

/** What a FROM line needs from the rest of the build. */
export interface FromContext {
  file: string;
  escapeChar: '\\' | '`';
  /** The global scope (automatic ARGs and the ARGs before the first FROM): the only variables FROM sees. */
  globals: ReadonlyMap<string, string>;
  buildPlatform: Platform;
  targetPlatform: Platform;
  contexts: ReadonlyMap<string, string>;
}

/**
 * One FROM line as BuildKit reads it: the image and `--platform` expanded with the global scope only, the base
 * resolved to a stage defined above (exact lower-case name), scratch, a named build context or an image, and the
 * whole stage replaced by a build context carrying its name. Steps and dependencies are filled in later.
 */
export function planFromLine(from: FromInstruction, index: number, namesAbove: StageNames, context: FromContext): StagePlan {
  const { file } = context;
  const location = { file, range: from.range };
  const expander = new WordExpander((name) => context.globals.get(name), context.escapeChar, file, from.range);
  const baseName = expander.word(from.image.value);
  if (baseName === '') {
    throw new StageResolutionError(BuildErrorCode.BlankBaseName, `base name (${from.image.value}) should not be blank`, {
      location,
      hint: 'Give the ARG used in FROM a default before the first FROM, or pass it with --build-arg',
    });
  }
  let platform: Platform | undefined;
  if (from.platform !== undefined) {
    const text = expander.word(from.platform.value);
    if (text === '') {
      throw new PlatformError(BuildErrorCode.InvalidPlatform, `empty platform value from expression ${from.platform.value}`, {
        location,
        hint: 'Declare the ARG before the first FROM (BUILDPLATFORM and TARGETPLATFORM are always there) or pass it with --build-arg',
      });
    }
    platform = parsePlatform(text, { defaults: context.buildPlatform, location });
  }
  const name = from.stageName?.value;
  const imagePlatform = platform ?? context.targetPlatform;
  const replacedBy = name === undefined ? undefined : findBuildContext(name, context.contexts, imagePlatform);
  const baseStage = namesAbove.get(baseName);
  let base: SourceRef;
  if (replacedBy !== undefined) base = { kind: 'context', name: replacedBy.name, value: replacedBy.value };
  else if (baseStage !== undefined) base = { kind: 'stage', stage: baseStage };
  else base = resolveImageSource(baseName, { contexts: context.contexts, platform: imagePlatform, location, stageNames: [...namesAbove.keys()] });
  return {
    index,
    name,
    id: name ?? `stage-${index}`,
    from,
    baseName,
    base,
    platform,
    replacedBy,
    steps: [],
    dependsOn: [],
    externalSources: [],
    usedGlobalArgs: expander.used().matched,
  };
}
