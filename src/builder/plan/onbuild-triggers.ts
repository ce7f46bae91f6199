import { parse } from '../../parser/index.js';
import { BuildErrorCode, OnbuildTriggerError, type BuildErrorLocation } from '../errors.js';
import type { StepInstruction } from './types.js';

const forbidden: Readonly<Record<string, string>> = {
  ONBUILD: 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed',
  FROM: 'FROM isn\'t allowed as an ONBUILD trigger',
  MAINTAINER: 'MAINTAINER isn\'t allowed as an ONBUILD trigger',
};

/**
 * Turns ONBUILD triggers back into instructions, as BuildKit does when a stage's base declares some: each trigger
 * (the text an image config's `OnBuild` holds: the instruction after ONBUILD, heredoc bodies included) is parsed
 * alone with the default escape character and must give exactly one instruction. ONBUILD, FROM and MAINTAINER
 * triggers are refused, as Docker does. Errors are reported at `location`, the FROM line of the stage that runs
 * them.
 */
export function parseOnbuildTriggers(triggers: readonly string[], location: BuildErrorLocation): StepInstruction[] {
  const instructions: StepInstruction[] = [];
  for (const trigger of triggers) {
    const fail = (detail: string, hint: string): OnbuildTriggerError =>
      new OnbuildTriggerError(BuildErrorCode.InvalidOnbuildTrigger, `ONBUILD trigger ${JSON.stringify(trigger)}: ${detail}`, { location, hint });
    const result = parse(trigger, { file: location.file });
    if (result.errors.length > 0) {
      throw fail(result.errors[0].detail, 'The base image carries a trigger that does not parse; rebuild the base image or pick another one');
    }
    if (result.instructions.length !== 1) {
      throw fail('onbuild trigger should be a single expression', 'Each ONBUILD entry of the base image must hold exactly one instruction');
    }
    const [instruction] = result.instructions;
    const refusal = forbidden[instruction.kind];
    if (refusal !== undefined) throw fail(refusal, 'Remove this trigger from the base image; it cannot run in a child build');
    instructions.push(instruction as StepInstruction);
  }
  return instructions;
}
