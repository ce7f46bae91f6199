import type { ArgInstruction, FromInstruction, Instruction } from '../../parser/index.js';
import { BuildErrorCode, StageResolutionError } from '../errors.js';
import type { StepInstruction } from './types.js';

/** A FROM and the instructions after it, as written. */
export interface RawStage {
  from: FromInstruction;
  instructions: StepInstruction[];
}

/** BuildKit's `instructions.Parse`: the ARGs before the first FROM, then one group per FROM. */
export function splitStages(instructions: readonly Instruction[], file: string): { globalArgs: ArgInstruction[]; stages: RawStage[] } {
  const globalArgs: ArgInstruction[] = [];
  const stages: RawStage[] = [];
  for (const instruction of instructions) {
    if (instruction.kind === 'FROM') {
      stages.push({ from: instruction, instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(instruction);
    } else if (instruction.kind === 'ARG') {
      globalArgs.push(instruction);
    } else {
      throw new StageResolutionError(BuildErrorCode.InstructionBeforeFrom, 'no build stage in current context', {
        location: { file, range: instruction.range },
        hint: `Only ARG may come before the first FROM; move this ${instruction.kind} below a FROM line`,
      });
    }
  }
  if (stages.length === 0) {
    throw new StageResolutionError(BuildErrorCode.NoStages, 'dockerfile contains no stages to build', {
      hint: 'Add a FROM instruction (FROM scratch for an empty base)',
    });
  }
  return { globalArgs, stages };
}
