import { heredocContent } from '../parser/index.js';
import { isSingleHeredoc, redactUrlCredentials } from './config/index.js';
import type { PlannedStep } from './plan/index.js';

/**
 * A step as progress and errors name it: the instruction as written on one line, URL credentials removed, and for
 * a RUN that is one heredoc BuildKit's summary of its body (`RUN <<EOF (apt-get update...)`).
 */
export function stepDisplayName(step: PlannedStep): string {
  let text = step.instruction.node.original.replace(/\s+/g, ' ').trim();
  const instruction = step.instruction;
  if (instruction.kind === 'RUN' && instruction.command.form === 'shell' && instruction.heredocs.length > 0 && isSingleHeredoc(instruction.command.text)) {
    const lines = heredocContent(instruction.heredocs[0]).trim().replace(/\r\n/g, '\n').split('\n');
    text += ` (${lines[0]}${lines.length > 1 ? '...' : ''})`;
  }
  return redactUrlCredentials(text);
}
