import { CH_NEWLINE, codePointAt, codePointBefore, codePointWidth } from './chars.js';

/** Token meaning "any one character except newline" (glob `?`, Go regexp `.`). */
export const TOKEN_ANY = -1;
/** Token meaning "any run of characters except newline" (glob `*`, Go regexp `.*` / `.*?`). */
export const TOKEN_STAR = -2;

/**
 * Runs a compiled glob (literal code points, {@link TOKEN_ANY}, {@link TOKEN_STAR}) with the
 * leftmost-first semantics of Go's RE2 engine, which BuildKit uses after converting the
 * glob to a regular expression. It is a Pike VM: each state is held at most once per
 * position, so a search costs O(text × pattern) whatever the input, with no backtracking
 * and no recursion. Consecutive stars must already be collapsed into one.
 *
 * `greedy` picks `.*` (longest first) over `.*?` (shortest first). A backward search reads
 * the text from `from` towards index 0, which equals Go's trick of reversing both the
 * pattern and the value to find a suffix.
 *
 * Instances keep scratch buffers and are not re-entrant (JavaScript is single-threaded and
 * a search never calls back into user code).
 */
export class GlobMatcher {
  readonly tokens: Int32Array;
  /** Scan position where the last successful match began. */
  matchStart = 0;
  /** Scan position where the last successful match ended (below `matchStart` when backward). */
  matchEnd = 0;

  private readonly marks: Int32Array;
  private generation = 0;
  private listA: Int32Array;
  private startA: Int32Array;
  private listB: Int32Array;
  private startB: Int32Array;

  constructor(tokens: Int32Array) {
    this.tokens = tokens;
    const size = tokens.length + 1;
    this.marks = new Int32Array(size);
    this.listA = new Int32Array(size);
    this.startA = new Int32Array(size);
    this.listB = new Int32Array(size);
    this.startB = new Int32Array(size);
  }

  /** Searches `text` from `from`; on success `matchStart`/`matchEnd` are set. */
  find(text: string, from: number, anchored: boolean, greedy: boolean, backward: boolean): boolean {
    const tokens = this.tokens;
    const accept = tokens.length;
    const length = text.length;
    let current = this.listA;
    let currentStart = this.startA;
    let next = this.listB;
    let nextStart = this.startB;
    let currentLength = this.add(current, currentStart, 0, 0, from, this.nextGeneration(), greedy);
    let position = from;
    let matched = false;

    for (;;) {
      let cp = -1;
      let width = 0;
      if (backward) {
        if (position > 0) {
          cp = codePointBefore(text, position);
          width = codePointWidth(cp);
        }
      } else if (position < length) {
        cp = codePointAt(text, position);
        width = codePointWidth(cp);
      }

      const generation = this.nextGeneration();
      let nextLength = 0;
      for (let k = 0; k < currentLength; k++) {
        const state = current[k];
        if (state === accept) {
          // Leftmost-first: this thread outranks every thread after it in the list.
          matched = true;
          this.matchStart = currentStart[k];
          this.matchEnd = position;
          break;
        }
        if (cp < 0) continue;
        const token = tokens[state];
        if (token === TOKEN_STAR) {
          if (cp !== CH_NEWLINE) nextLength = this.add(next, nextStart, nextLength, state, currentStart[k], generation, greedy);
        } else if (token === TOKEN_ANY ? cp !== CH_NEWLINE : token === cp) {
          nextLength = this.add(next, nextStart, nextLength, state + 1, currentStart[k], generation, greedy);
        }
      }
      if (cp < 0) break;

      position = backward ? position - width : position + width;
      if (!matched && !anchored) nextLength = this.add(next, nextStart, nextLength, 0, position, generation, greedy);
      if (nextLength === 0) break;

      const swapList = current;
      current = next;
      next = swapList;
      const swapStart = currentStart;
      currentStart = nextStart;
      nextStart = swapStart;
      currentLength = nextLength;
    }
    return matched;
  }

  /** Adds `state` (and what a star may skip to) to a thread list, in priority order. */
  private add(
    list: Int32Array,
    starts: Int32Array,
    length: number,
    state: number,
    start: number,
    generation: number,
    greedy: boolean,
  ): number {
    const marks = this.marks;
    if (marks[state] === generation) return length;
    marks[state] = generation;
    if (state < this.tokens.length && this.tokens[state] === TOKEN_STAR) {
      const after = state + 1;
      const afterFree = marks[after] !== generation;
      if (afterFree) marks[after] = generation;
      if (greedy) {
        list[length] = state;
        starts[length++] = start;
        if (afterFree) {
          list[length] = after;
          starts[length++] = start;
        }
      } else {
        if (afterFree) {
          list[length] = after;
          starts[length++] = start;
        }
        list[length] = state;
        starts[length++] = start;
      }
      return length;
    }
    list[length] = state;
    starts[length++] = start;
    return length;
  }

  private nextGeneration(): number {
    if (++this.generation > 0x3fffffff) {
      this.marks.fill(0);
      this.generation = 1;
    }
    return this.generation;
  }
}
