/** A point in the Dockerfile text. `line` and `column` are 1-based; `offset` is a 0-based UTF-16 index. */
export interface SourcePosition {
  line: number;
  column: number;
  offset: number;
}

/** A span of Dockerfile text; `end` is exclusive (it points just past the last character). */
export interface SourceRange {
  start: SourcePosition;
  end: SourcePosition;
}

export function formatLocation(file: string | undefined, position: SourcePosition): string {
  return `${file ?? 'Dockerfile'}:${position.line}:${position.column}`;
}
