/**
 * A process's output cut into lines per stream (a chunk may end mid-line), keeping the last few lines of both
 * streams together for the error message of a failed RUN.
 */
export class OutputTail {
  private readonly partial = { stdout: '', stderr: '' };
  private readonly kept: string[] = [];

  constructor(private readonly size: number) {}

  /** The complete lines the chunk finishes. */
  push(stream: 'stdout' | 'stderr', chunk: Buffer): string[] {
    const text = this.partial[stream] + chunk.toString('utf8');
    const lines = text.split('\n');
    this.partial[stream] = lines.pop() ?? '';
    for (const line of lines) this.keep(line);
    return lines;
  }

  /** Lines the streams left unfinished. */
  flush(): Array<{ stream: 'stdout' | 'stderr'; text: string }> {
    const rest: Array<{ stream: 'stdout' | 'stderr'; text: string }> = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream] === '') continue;
      rest.push({ stream, text: this.partial[stream] });
      this.keep(this.partial[stream]);
      this.partial[stream] = '';
    }
    return rest;
  }

  lines(): string[] {
    return [...this.kept];
  }

  private keep(line: string): void {
    this.kept.push(line);
    if (this.kept.length > this.size) this.kept.shift();
  }
}
