import type { ProgressEvent, StepInfo } from '../../builder/types.js';
import { errorBox, exportLine, seconds, stepLabel, StepLog, warningSummary } from './format.js';
import { systemClock, type Clock, type ProgressRenderer, type RenderOutcome } from './types.js';

export interface TtyRendererOptions {
  clock?: Clock;
  /** Colour finished lines blue, failed ones red and warnings yellow, as buildx does (default true). */
  color?: boolean;
  /** Terminal size when the stream does not tell (`columns`, `rows`); default 80 x 24. */
  width?: number;
  height?: number;
  /** Minimum time between two redraws (default 100 ms: ten frames a second at most). */
  intervalMs?: number;
}

type VertexState = 'running' | 'done' | 'cached' | 'error' | 'canceled';

interface Vertex {
  label: string;
  start: number;
  state: VertexState;
  durationMs?: number;
  log?: StepLog;
  /** Export statuses: ` => => writing OCI archive to out.tar  0.1s`. */
  children?: { text: string; durationMs: number }[];
}

const ansi = {
  up: (lines: number) => `\x1b[${lines}A`,
  clearLine: '\x1b[2K',
  clearBelow: '\x1b[J',
  blue: '\x1b[34m',
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  reset: '\x1b[0m',
};

/** Lines of a running step's output shown under it in the live view. */
const liveLogLines = 6;

/**
 * buildx's interactive progress (`--progress=tty`): a header `[+] Building 2.1s (3/8)` and one line per step, redrawn
 * in place (cursor up, clear line) at most every `intervalMs`. Running steps tick their elapsed time and show their
 * last output lines (` => => # text`); finished ones collapse to ` => [stage 2/5] COPY . .  0.3s` or
 * ` => CACHED [stage 1/5] FROM ...`. When the frame is taller than the terminal the oldest finished steps are left
 * out. end() draws the final, complete frame (`FINISHED`), then the failed steps' output and the warnings.
 */
export class TtyRenderer implements ProgressRenderer {
  private readonly clock: Clock;
  private readonly color: boolean;
  private readonly intervalMs: number;
  private readonly vertices = new Map<number | 'export', Vertex>();
  private readonly warnings: string[] = [];
  private multiStage = true;
  private startTime: number | undefined;
  private totalSteps = 0;
  private buildMs: number | undefined;
  private linesDrawn = 0;
  private lastDraw = -Infinity;
  private timer: unknown;
  private ended = false;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly options: TtyRendererOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.color = options.color ?? true;
    this.intervalMs = options.intervalMs ?? 100;
  }

  event(event: ProgressEvent): void {
    if (this.ended) return;
    this.startTime ??= this.clock.now();
    switch (event.type) {
      case 'build-start':
        this.multiStage = event.stages > 1;
        this.totalSteps = event.steps;
        break;
      case 'step-start':
        this.vertexOf(event.step, event.time);
        break;
      case 'step-log':
        this.vertexOf(event.step, event.time).log!.add(event.text, event.time);
        break;
      case 'step-cached':
        this.settle(this.vertexOf(event.step, event.time), 'cached', 0);
        break;
      case 'step-done':
        this.settle(this.vertexOf(event.step, event.time), 'done', event.durationMs);
        break;
      case 'step-error': {
        const vertex = this.vertexOf(event.step, event.time);
        this.settle(vertex, 'error', event.time - vertex.start);
        break;
      }
      case 'export': {
        const vertex = this.exportVertex(event.time - event.durationMs);
        vertex.children!.push({ text: exportLine(event.output), durationMs: event.durationMs });
        vertex.durationMs = (vertex.durationMs ?? 0) + event.durationMs;
        break;
      }
      case 'warning':
        this.warnings.push(event.message);
        break;
      case 'build-done': {
        const vertex = this.exportVertex(event.time);
        vertex.children!.push({ text: `writing image ${event.digest}`, durationMs: 0 });
        vertex.durationMs ??= 0;
        vertex.state = 'done';
        this.buildMs = event.durationMs;
        break;
      }
    }
    this.schedule();
  }

  end(outcome: RenderOutcome = {}): void {
    if (this.ended) return;
    this.ended = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.clock.now();
    for (const vertex of this.vertices.values()) {
      if (vertex.state !== 'running') continue;
      vertex.state = outcome.canceled ? 'canceled' : 'done';
      vertex.durationMs = now - vertex.start;
    }
    // A build that failed before reporting anything (a Dockerfile that does not parse) gets no frame.
    if (this.startTime !== undefined) this.draw(outcome.canceled ? 'CANCELED' : 'FINISHED');
    let tail = '';
    for (const vertex of this.vertices.values()) if (vertex.state === 'error') tail += errorBox(vertex.label, vertex.log?.recent ?? []);
    const warnings = warningSummary(this.warnings);
    tail += this.color && warnings !== '' ? warnings.replace(/^(\n)(.*)$/m, `$1${ansi.yellow}$2${ansi.reset}`) : warnings;
    if (tail !== '') this.out.write(tail);
  }

  private vertexOf(step: StepInfo, time: number): Vertex {
    let vertex = this.vertices.get(step.id);
    if (vertex === undefined) {
      vertex = { label: stepLabel(step, this.multiStage), start: time, state: 'running', log: new StepLog(time) };
      this.vertices.set(step.id, vertex);
    }
    return vertex;
  }

  private exportVertex(start: number): Vertex {
    let vertex = this.vertices.get('export');
    if (vertex === undefined) {
      vertex = { label: 'exporting to image', start, state: 'running', children: [] };
      this.vertices.set('export', vertex);
    }
    return vertex;
  }

  private settle(vertex: Vertex, state: VertexState, durationMs: number): void {
    vertex.log?.flush();
    vertex.state = state;
    vertex.durationMs = durationMs;
  }

  /** Draws now when the last frame is old enough, else once the interval has passed. */
  private schedule(): void {
    if (this.ended || this.timer !== undefined) return;
    const wait = this.lastDraw + this.intervalMs - this.clock.now();
    if (wait <= 0) {
      this.tick();
      return;
    }
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.tick();
    }, wait);
  }

  private tick(): void {
    this.draw();
    // Keep the elapsed times of running steps moving.
    if ([...this.vertices.values()].some((vertex) => vertex.state === 'running')) this.schedule();
  }

  private draw(final?: string): void {
    const lines = this.frame(final);
    let text = this.linesDrawn > 0 ? ansi.up(this.linesDrawn) : '';
    for (const line of lines) text += `\r${ansi.clearLine}${line}\n`;
    if (lines.length < this.linesDrawn) text += ansi.clearBelow;
    this.out.write(text);
    this.linesDrawn = lines.length;
    this.lastDraw = this.clock.now();
  }

  private size(): { width: number; height: number } {
    const stream = this.out as { columns?: number; rows?: number };
    return { width: stream.columns || this.options.width || 80, height: stream.rows || this.options.height || 24 };
  }

  private frame(final: string | undefined): string[] {
    const now = this.clock.now();
    const { width, height } = this.size();
    const steps = [...this.vertices.entries()].filter(([key]) => key !== 'export');
    const finished = steps.filter(([, vertex]) => vertex.state !== 'running' && vertex.state !== 'canceled').length;
    // Once the build is done every step has shown up: count those (build-start's count may include instructions
    // that have no step of their own).
    const total = final !== undefined && this.buildMs !== undefined ? steps.length : Math.max(this.totalSteps, steps.length);
    const elapsed = final !== undefined && this.buildMs !== undefined ? this.buildMs : now - (this.startTime ?? now);
    const header = `[+] Building ${seconds(elapsed)} (${finished}/${total})${final !== undefined ? ` ${final}` : ''}`;

    const blocks: { finished: boolean; lines: string[] }[] = [];
    for (const vertex of this.vertices.values()) {
      const running = vertex.state === 'running';
      const prefix = vertex.state === 'cached' ? 'CACHED ' : vertex.state === 'error' ? 'ERROR ' : vertex.state === 'canceled' ? 'CANCELED ' : '';
      const colour = vertex.state === 'error' ? ansi.red : vertex.state === 'canceled' ? ansi.yellow : running ? undefined : ansi.blue;
      const lines = [this.line(` => ${prefix}${vertex.label}`, seconds(running ? now - vertex.start : (vertex.durationMs ?? 0)), width, colour)];
      for (const child of vertex.children ?? []) lines.push(this.line(` => => ${child.text}`, seconds(child.durationMs), width, colour));
      if (running && final === undefined && vertex.log !== undefined) {
        const pending = vertex.log.pending();
        const output = pending === undefined ? vertex.log.recent : [...vertex.log.recent, pending];
        for (const text of output.slice(-liveLogLines)) lines.push(this.line(` => => # ${text}`, '', width, undefined));
      }
      blocks.push({ finished: !running, lines });
    }

    if (final === undefined) {
      // Leave out the oldest finished steps, then the oldest lines, so the frame fits the terminal.
      const room = Math.max(1, height - 2);
      let count = blocks.reduce((sum, block) => sum + block.lines.length, 0);
      for (let i = 0; i < blocks.length && count > room; i++) {
        if (!blocks[i].finished) continue;
        count -= blocks[i].lines.length;
        blocks.splice(i--, 1);
      }
      const lines = blocks.flatMap((block) => block.lines);
      return [header, ...lines.slice(Math.max(0, lines.length - room))];
    }
    return [header, ...blocks.flatMap((block) => block.lines)];
  }

  /** `left`, padded so `right` ends in the last column but one, cut with `...` when too long. */
  private line(left: string, right: string, width: number, colour: string | undefined): string {
    const room = Math.max(10, width - 1);
    const tail = right === '' ? '' : ` ${right}`;
    // Escape sequences and control characters in a step's output would break the frame.
    let text = left.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/[\x00-\x1f\x7f]/g, ' ');
    if (text.length + tail.length > room) text = `${text.slice(0, Math.max(0, room - tail.length - 3))}...`;
    text = text.padEnd(room - tail.length) + tail;
    if (right === '') text = text.trimEnd();
    return this.color && colour !== undefined ? `${colour}${text}${ansi.reset}` : text;
  }
}
