/** A point in the Dockerfile text. `line` and `column` are 1-based; `offset` is a 0-based UTF-16 index. */
export interface SourcePosition {
  line: number;
  column: number;
  offset: number;
}

/** A span of Dockerfile text; `end` is exclusive (it points just past the last character). */
export interface SourceRange {
  readonly start: SourcePosition;
  readonly end: SourcePosition;
}

export function formatLocation(file: string | undefined, position: SourcePosition): string {
  return `${file ?? 'Dockerfile'}:${position.line}:${position.column}`;
}

/**
 * Line starts of one text, to turn offsets into lines and columns. Columns count UTF-16 units and start after a
 * byte-order mark on line 1.
 */
export class LineIndex {
  private readonly starts: Int32Array;
  private readonly bomShift: number;

  constructor(text: string) {
    let count = 1;
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
    const starts = new Int32Array(count);
    let line = 1;
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) starts[line++] = at + 1;
    this.starts = starts;
    this.bomShift = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  position(offset: number): SourcePosition {
    const starts = this.starts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    const column = offset - starts[low] + 1 - (low === 0 ? this.bomShift : 0);
    return { line: low + 1, column, offset };
  }

  span(start: number, end: number): SourceSpan {
    return new SourceSpan(this, start, end);
  }
}

/**
 * A range stored as two offsets; lines and columns are worked out when asked for. Parsers make one for every
 * node, flag and argument, so keeping them small keeps large Dockerfiles fast.
 */
export class SourceSpan implements SourceRange {
  constructor(
    private readonly index: LineIndex,
    readonly startOffset: number,
    readonly endOffset: number,
  ) {}

  get start(): SourcePosition {
    return this.index.position(this.startOffset);
  }

  get end(): SourcePosition {
    return this.index.position(this.endOffset);
  }

  /** From this span's start to `last`'s end. */
  through(last: SourceSpan): SourceSpan {
    return new SourceSpan(this.index, this.startOffset, Math.max(this.startOffset, last.endOffset));
  }

  toJSON(): { start: SourcePosition; end: SourcePosition } {
    return { start: this.start, end: this.end };
  }
}
