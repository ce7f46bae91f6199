import type { ProgressEvent, StepInfo } from '../../builder/types.js';
import { errorBox, exportLine, seconds, stepLabel, StepLog, warningSummary } from './format.js';
import type { ProgressRenderer, RenderOutcome } from './types.js';

interface Vertex {
  id: number;
  label: string;
  log?: StepLog;
  finished: boolean;
  failed: boolean;
}

/**
 * BuildKit's plain progress (`--progress=plain`): a vertex header `#N [stage 2/5] RUN make`, its output lines
 * `#N 0.123 text`, and its end `#N DONE 0.3s`, `#N CACHED` or `#N ERROR: message`, a blank line between vertices.
 * When another vertex reports while one is still running, the running one is left with `#N ...` and its header is
 * printed again when it reports next, as BuildKit does. Exports are one more vertex, `exporting to image`.
 */
export class PlainRenderer implements ProgressRenderer {
  private readonly vertices = new Map<number, Vertex>();
  private readonly warnings: string[] = [];
  private current: Vertex | undefined;
  private notFirst = false;
  private multiStage = true;
  private maxId = 0;
  private exporting: (Vertex & { durationMs: number }) | undefined;
  private ended = false;

  constructor(private readonly out: NodeJS.WritableStream) {}

  event(event: ProgressEvent): void {
    if (this.ended) return;
    switch (event.type) {
      case 'build-start':
        this.multiStage = event.stages > 1;
        return;
      case 'step-start':
        this.select(this.vertexOf(event.step, event.time));
        return;
      case 'step-log': {
        const vertex = this.vertexOf(event.step, event.time);
        this.select(vertex);
        for (const line of vertex.log!.add(event.text, event.time)) this.write(`#${vertex.id} ${line}\n`);
        return;
      }
      case 'step-cached':
        this.finish(this.vertexOf(event.step, event.time), 'CACHED');
        return;
      case 'step-done':
        this.finish(this.vertexOf(event.step, event.time), `DONE ${seconds(event.durationMs)}`);
        return;
      case 'step-error': {
        const vertex = this.vertexOf(event.step, event.time);
        vertex.failed = true;
        this.finish(vertex, `ERROR: ${event.message}`);
        return;
      }
      case 'export': {
        const vertex = this.exportVertex();
        vertex.durationMs += event.durationMs;
        this.select(vertex);
        const time = event.durationMs > 10 ? ` ${seconds(event.durationMs)}` : '';
        this.write(`#${vertex.id} ${exportLine(event.output)}${time} done\n`);
        return;
      }
      case 'warning':
        this.warnings.push(event.message);
        return;
      case 'build-done': {
        const vertex = this.exportVertex();
        this.select(vertex);
        this.write(`#${vertex.id} writing image ${event.digest} done\n`);
        this.finish(vertex, `DONE ${seconds(vertex.durationMs)}`);
        return;
      }
    }
  }

  end(outcome: RenderOutcome = {}): void {
    if (this.ended) return;
    if (outcome.canceled) {
      for (const vertex of this.vertices.values()) if (!vertex.finished) this.finish(vertex, 'CANCELED');
    } else if (this.current !== undefined) {
      this.flush(this.current);
    }
    this.ended = true;
    for (const vertex of this.vertices.values()) if (vertex.failed) this.write(errorBox(vertex.label, vertex.log?.recent ?? []));
    this.write(warningSummary(this.warnings));
  }

  private vertexOf(step: StepInfo, time: number): Vertex {
    let vertex = this.vertices.get(step.id);
    if (vertex === undefined) {
      vertex = { id: step.id, label: stepLabel(step, this.multiStage), log: new StepLog(time), finished: false, failed: false };
      this.vertices.set(step.id, vertex);
      this.maxId = Math.max(this.maxId, step.id);
    }
    return vertex;
  }

  private exportVertex(): Vertex & { durationMs: number } {
    if (this.exporting === undefined || this.exporting.finished) {
      this.exporting = { id: ++this.maxId, label: 'exporting to image', finished: false, failed: false, durationMs: 0 };
    }
    return this.exporting;
  }

  /** Makes `vertex` the one being printed: leaves the current one with `#N ...`, prints the header. */
  private select(vertex: Vertex): void {
    if (this.current === vertex) return;
    if (this.current !== undefined) {
      this.flush(this.current);
      this.write(`#${this.current.id} ...\n`);
    }
    if (this.notFirst) this.write('\n');
    this.notFirst = true;
    this.write(`#${vertex.id} ${vertex.label}\n`);
    this.current = vertex;
  }

  private finish(vertex: Vertex, status: string): void {
    this.select(vertex);
    this.flush(vertex);
    this.write(`#${vertex.id} ${status}\n`);
    vertex.finished = true;
    this.current = undefined;
  }

  private flush(vertex: Vertex): void {
    for (const line of vertex.log?.flush() ?? []) this.write(`#${vertex.id} ${line}\n`);
  }

  private write(text: string): void {
    if (text !== '') this.out.write(text);
  }
}
