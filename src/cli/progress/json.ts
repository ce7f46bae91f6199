import type { ProgressEvent } from '../../builder/types.js';
import type { ProgressRenderer } from './types.js';

/** `--progress=json`: every event as one line of JSON, exactly as the builder reported it. */
export class JsonRenderer implements ProgressRenderer {
  constructor(private readonly out: NodeJS.WritableStream) {}

  event(event: ProgressEvent): void {
    this.out.write(`${JSON.stringify(event)}\n`);
  }

  end(): void {}
}

/** Quiet mode: no progress at all. */
export class QuietRenderer implements ProgressRenderer {
  event(): void {}
  end(): void {}
}
