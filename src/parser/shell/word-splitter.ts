import { isGoSpace } from './chars.js';

/**
 * Collects the fields of `ProcessWords`: unquoted, unescaped whitespace (Go's
 * `unicode.IsSpace`) ends the current field; quoted or escaped text is appended verbatim.
 * Empty fields are never emitted, so `a "" b` gives `["a", "b"]`.
 */
export class WordSplitter {
  private current = '';
  private readonly fields: string[] = [];

  /** Text that cannot split: quoted strings and escaped characters. */
  addVerbatim(text: string): void {
    this.current += text;
  }

  /** Text whose whitespace separates fields: plain characters and expansion results. */
  addSplittable(text: string): void {
    let start = 0;
    const length = text.length;
    for (let i = 0; i < length; i++) {
      if (!isGoSpace(text.charCodeAt(i))) continue;
      if (i > start) this.current += text.slice(start, i);
      if (this.current.length > 0) {
        this.fields.push(this.current);
        this.current = '';
      }
      start = i + 1;
    }
    if (start === 0) this.current += text;
    else if (start < length) this.current += text.slice(start);
  }

  /** The finished fields (the splitter must not be used afterwards). */
  finish(): string[] {
    if (this.current.length > 0) {
      this.fields.push(this.current);
      this.current = '';
    }
    return this.fields;
  }
}
