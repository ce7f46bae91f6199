import type { ProgressEvent, StepInfo } from './types.js';

/** Hands progress events to the caller's callback, if any; the builder prints nothing itself. */
export class ProgressEmitter {
  private nextId = 1;

  constructor(private readonly listener: ((event: ProgressEvent) => void) | undefined) {}

  emit(event: ProgressEvent): void {
    this.listener?.(event);
  }

  step(stage: string, index: number, total: number, name: string): StepInfo {
    return { id: this.nextId++, stage, index, total, name };
  }
}
