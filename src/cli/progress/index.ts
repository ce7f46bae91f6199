import { JsonRenderer, QuietRenderer } from './json.js';
import { PlainRenderer } from './plain.js';
import { TtyRenderer, type TtyRendererOptions } from './tty.js';
import type { ProgressRenderer } from './types.js';

export type ProgressMode = 'plain' | 'tty' | 'json' | 'quiet';

/** The renderer for a (resolved) progress mode, writing to `out` (standard error). */
export function createProgressRenderer(mode: ProgressMode, out: NodeJS.WritableStream, options: TtyRendererOptions = {}): ProgressRenderer {
  switch (mode) {
    case 'plain':
      return new PlainRenderer(out);
    case 'tty':
      return new TtyRenderer(out, options);
    case 'json':
      return new JsonRenderer(out);
    case 'quiet':
      return new QuietRenderer();
  }
}

export { PlainRenderer } from './plain.js';
export { TtyRenderer, type TtyRendererOptions } from './tty.js';
export { JsonRenderer, QuietRenderer } from './json.js';
export { systemClock, type Clock, type ProgressRenderer, type RenderOutcome } from './types.js';
export { stepLabel, outputKind, outputPlace, exportLine } from './format.js';
