import type { OutputSpec, StepInfo } from '../../builder/types.js';

/**
 * BuildKit's step label: `[stage 2/5] COPY . .`, the index padded to the width of the total (`[ 2/12]`). The stage
 * name is left out, as BuildKit does, when the build has one stage and it has no name of its own.
 */
export function stepLabel(step: StepInfo, multiStage: boolean): string {
  const index = String(step.index).padStart(String(step.total).length);
  const stage = multiStage || !/^stage-\d+$/.test(step.stage) ? `${step.stage} ` : '';
  return `[${stage}${index}/${step.total}] ${step.name}`;
}

/** Seconds with one decimal, as BuildKit prints durations: `0.3s`. */
export function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

/** What an output is, for people: `OCI image layout`, `Docker archive`... */
export function outputKind(output: OutputSpec): string {
  switch (output.type) {
    case 'oci-layout':
      return 'OCI image layout';
    case 'oci-archive':
      return 'OCI archive';
    case 'docker':
      return 'Docker archive';
    case 'local':
      return 'files';
    case 'registry':
      return 'registry';
  }
}

/** Where an output goes: its path, or the names it is pushed under. */
export function outputPlace(output: OutputSpec): string {
  return output.type === 'registry' ? (output.names ?? []).join(', ') || 'the tags' : output.dest;
}

/** The progress line of an export: `writing OCI archive to out.tar`, `copying files to dir`. */
export function exportLine(output: OutputSpec): string {
  if (output.type === 'registry') return `pushing to ${outputPlace(output)}`;
  return output.type === 'local' ? `copying files to ${output.dest}` : `writing ${outputKind(output)} to ${output.dest}`;
}

/**
 * A step's output, split into whole lines. `partial` is the unfinished last line carried between chunks; lines are
 * stamped with the seconds since the step started when their first character arrived (`0.123`).
 */
export class StepLog {
  /** The last lines kept, stamped (for a failed step's summary and the live view). */
  readonly recent: string[] = [];
  private partial = '';
  private partialTime: number | undefined;

  constructor(
    private readonly start: number,
    private readonly keep = 10,
  ) {}

  /** Adds a chunk and returns the lines it completed, stamped. */
  add(text: string, time: number): string[] {
    const done: string[] = [];
    let rest = text;
    while (rest !== '') {
      this.partialTime ??= time;
      const newline = rest.indexOf('\n');
      if (newline === -1) {
        this.partial += rest;
        break;
      }
      done.push(this.remember(`${this.stamp(this.partialTime)} ${(this.partial + rest.slice(0, newline)).replace(/\r$/, '')}`));
      this.partial = '';
      this.partialTime = undefined;
      rest = rest.slice(newline + 1);
    }
    return done;
  }

  /** Ends the unfinished line, if any, and returns it stamped. */
  flush(): string[] {
    if (this.partialTime === undefined) return [];
    const line = this.remember(`${this.stamp(this.partialTime)} ${this.partial.replace(/\r$/, '')}`);
    this.partial = '';
    this.partialTime = undefined;
    return [line];
  }

  /** The unfinished line, stamped, for the live view. */
  pending(): string | undefined {
    return this.partialTime === undefined ? undefined : `${this.stamp(this.partialTime)} ${this.partial}`;
  }

  private stamp(time: number): string {
    return (Math.max(0, time - this.start) / 1000).toFixed(3);
  }

  private remember(line: string): string {
    this.recent.push(line);
    if (this.recent.length > this.keep) this.recent.shift();
    return line;
  }
}

/** BuildKit's box with a failed step's last output lines, printed once the build is over. */
export function errorBox(label: string, lines: readonly string[]): string {
  return `------\n > ${label}:\n${lines.map((line) => `${line}\n`).join('')}------\n`;
}

/** buildx's warning summary: ` 2 warnings found:` and one ` - message` line each. */
export function warningSummary(warnings: readonly string[]): string {
  if (warnings.length === 0) return '';
  const count = warnings.length === 1 ? '1 warning found' : `${warnings.length} warnings found`;
  return `\n ${count}:\n${warnings.map((warning) => ` - ${warning}\n`).join('')}`;
}
