import type { LineIndex, SourceSpan } from './source-range.js';

/**
 * An instruction's text after continuation lines are joined, with the map back to the source, so that every
 * offset into the joined text has an exact place in the file. Segments are stored flat: [logicalStart, offset]*.
 */
export class LogicalLine {
  text = '';
  private readonly segments: number[] = [];

  constructor(private readonly index: LineIndex) {}

  append(piece: string, offset: number): void {
    if (piece.length === 0) return;
    this.segments.push(this.text.length, offset);
    this.text += piece;
  }

  get isEmpty(): boolean {
    return this.segments.length === 0;
  }

  /** The source offset of the character at `logicalOffset`. */
  offset(logicalOffset: number): number {
    const segments = this.segments;
    let index = segments.length - 2;
    while (index > 0 && segments[index] > logicalOffset) index -= 2;
    return segments[index + 1] + (logicalOffset - segments[index]);
  }

  /** The source offset just past the character before `logicalEnd`. */
  endOffset(logicalEnd: number): number {
    return logicalEnd <= 0 ? this.offset(0) : this.offset(logicalEnd - 1) + 1;
  }

  range(logicalStart: number, logicalEnd: number): SourceSpan {
    if (logicalEnd <= logicalStart) {
      const at = logicalStart >= this.text.length ? this.endOffset(this.text.length) : this.offset(logicalStart);
      return this.index.span(at, at);
    }
    return this.index.span(this.offset(logicalStart), this.endOffset(logicalEnd));
  }

  line(offset: number): number {
    return this.index.position(offset).line;
  }
}
