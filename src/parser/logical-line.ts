import type { SourcePosition, SourceRange } from './source-range.js';

/** A piece of one physical line that became part of a logical line. */
interface Segment {
  logicalStart: number;
  offset: number;
  line: number;
  column: number;
}

/**
 * An instruction's text after continuation lines are joined, with the map back to the source, so that every
 * offset into the joined text has an exact line and column.
 */
export class LogicalLine {
  text = '';
  private readonly segments: Segment[] = [];

  append(piece: string, offset: number, line: number, column: number): void {
    if (piece.length === 0) return;
    this.segments.push({ logicalStart: this.text.length, offset, line, column });
    this.text += piece;
  }

  get isEmpty(): boolean {
    return this.segments.length === 0;
  }

  private segmentAt(logicalOffset: number): Segment {
    const segments = this.segments;
    let low = 0;
    let high = segments.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (segments[middle].logicalStart <= logicalOffset) low = middle;
      else high = middle - 1;
    }
    return segments[low];
  }

  /** The source position of the character at `logicalOffset`. */
  position(logicalOffset: number): SourcePosition {
    const segment = this.segmentAt(logicalOffset);
    const delta = logicalOffset - segment.logicalStart;
    return { line: segment.line, column: segment.column + delta, offset: segment.offset + delta };
  }

  /** The source position just past the character before `logicalEnd` (an exclusive end). */
  endPosition(logicalEnd: number): SourcePosition {
    if (logicalEnd <= 0) return this.position(0);
    const last = this.position(logicalEnd - 1);
    return { line: last.line, column: last.column + 1, offset: last.offset + 1 };
  }

  range(logicalStart: number, logicalEnd: number): SourceRange {
    if (logicalEnd <= logicalStart) {
      const at = logicalStart >= this.text.length ? this.endPosition(this.text.length) : this.position(logicalStart);
      return { start: at, end: at };
    }
    return { start: this.position(logicalStart), end: this.endPosition(logicalEnd) };
  }
}
