/**
 * Go `regexp` syntax (RE2, Perl flags) to a JavaScript RegExp with the same meaning, for the regular
 * expressions Docker's pattern matcher builds out of .dockerignore lines.
 *
 * Docker copies `[`, `]`, `^` and the character after a `\` into its regular expression unchanged, so a
 * pattern can reach Go regexp features: character classes with ranges, negation, POSIX `[:alpha:]` names and
 * Perl `\d \s \w`; escapes such as `\t`, `\x41`, `\101`, `\pL`; anchors `^`, `\A`, `\z`, `\b`; `\Q…\E`.
 * All of those are translated. Everything else Go would refuse (for example `\e`, `\1`, `\p{Greek}` — Docker
 * escapes the brace) throws GoRegexpError, as Go's compiler would.
 *
 * Differences from JavaScript that matter here: Go's `.` matches anything but `\n`; a negated class does match
 * `\n`; `\d \s \w \b` and POSIX classes are ASCII-only.
 */

export class GoRegexpError extends Error {
  override readonly name = 'GoRegexpError';
}

type Range = readonly [number, number];

const MAX_RUNE = 0x10ffff;

const PERL_CLASSES: Readonly<Record<string, readonly Range[]>> = {
  d: [[0x30, 0x39]],
  s: [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]],
  w: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
};

const POSIX_CLASSES: Readonly<Record<string, readonly Range[]>> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};

/** Single-letter Unicode general categories Go accepts as `\pX`. */
const UNICODE_CATEGORIES = new Set(['C', 'L', 'M', 'N', 'P', 'S', 'Z']);

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { a: 0x07, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b };

function complement(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_RUNE) out.push([next, MAX_RUNE]);
  return out;
}

function isAsciiAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}

function isOctal(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x37;
}

/** A code point written so that it means itself anywhere in a `u`-mode JS pattern. */
function literal(c: number): string {
  return `\\u{${c.toString(16)}}`;
}

function rangesToClassBody(ranges: readonly Range[]): string {
  return ranges.map(([lo, hi]) => (lo === hi ? literal(lo) : `${literal(lo)}-${literal(hi)}`)).join('');
}

class Translator {
  private pos = 0;
  private out = '';
  /** Whether the last emitted item can take a quantifier. */
  private quantifiable = false;

  constructor(private readonly re: number[]) {}

  translate(): string {
    let depth = 0;
    while (this.pos < this.re.length) {
      const c = this.re[this.pos++];
      switch (c) {
        case 0x5c: // \
          this.escapeOutside();
          break;
        case 0x5b: // [
          this.emit(this.parseClass(), true);
          break;
        case 0x28: // (
          if (this.re[this.pos] === 0x3f) throw new GoRegexpError('group flags are not supported');
          depth++;
          this.emit('(?:', false);
          break;
        case 0x29: // )
          if (depth === 0) throw new GoRegexpError('unexpected )');
          depth--;
          this.emit(')', true);
          break;
        case 0x2e: // .
          this.emit('[^\\n]', true);
          break;
        case 0x2a: // *
        case 0x2b: // +
        case 0x3f: // ?
          this.quantifier(c);
          break;
        case 0x5e: // ^
          this.emit('(?:^)', true);
          break;
        case 0x24: // $
          this.emit('(?:$)', true);
          break;
        case 0x7c: // |
          throw new GoRegexpError('alternation is not supported');
        case 0x7b: // { — Docker escapes braces, so a raw one is never a repetition here
        default:
          this.emit(literal(c), true);
      }
    }
    if (depth !== 0) throw new GoRegexpError('missing closing )');
    return this.out;
  }

  private emit(text: string, quantifiable: boolean): void {
    this.out += text;
    this.quantifiable = quantifiable;
  }

  private quantifier(c: number): void {
    if (!this.quantifiable) throw new GoRegexpError('missing argument to repetition operator');
    let text = String.fromCodePoint(c);
    if (this.re[this.pos] === 0x3f) {
      // `*?` is Go's non-greedy form; greediness does not change whether a string matches.
      this.pos++;
      text += '?';
    }
    this.out += text;
    this.quantifiable = false;
    const next = this.re[this.pos];
    if (next === 0x2a || next === 0x2b || next === 0x3f) throw new GoRegexpError('invalid nested repetition operator');
  }

  private escapeOutside(): void {
    const c = this.re[this.pos];
    if (c === undefined) throw new GoRegexpError('trailing backslash at end of expression');
    const letter = String.fromCodePoint(c);
    switch (letter) {
      // Go lets a quantifier follow an assertion (`^*`); JavaScript does once it is a group.
      case 'A':
        this.pos++;
        this.emit('(?:^)', true);
        return;
      case 'z':
        this.pos++;
        this.emit('(?:$)', true);
        return;
      case 'b':
      case 'B':
        this.pos++;
        this.emit(`(?:\\${letter})`, true);
        return;
      case 'Q': {
        this.pos++;
        let text = '';
        while (this.pos < this.re.length) {
          if (this.re[this.pos] === 0x5c && this.re[this.pos + 1] === 0x45) {
            this.pos += 2;
            break;
          }
          text += literal(this.re[this.pos++]);
        }
        if (text !== '') this.emit(`(?:${text})`, true);
        return;
      }
      default: {
        const perl = this.perlClass();
        if (perl !== undefined) {
          this.emit(`[${rangesToClassBody(perl)}]`, true);
          return;
        }
        const unicode = this.unicodeClass();
        if (unicode !== undefined) {
          this.emit(unicode, true);
          return;
        }
        this.emit(literal(this.escapedChar()), true);
      }
    }
  }

  /** At the letter after `\`: the ranges of `\d \D \s \S \w \W`, consuming it. */
  private perlClass(): readonly Range[] | undefined {
    const letter = String.fromCodePoint(this.re[this.pos]);
    if (!'dDsSwW'.includes(letter)) return undefined;
    this.pos++;
    const ranges = PERL_CLASSES[letter.toLowerCase()];
    return letter === letter.toLowerCase() ? ranges : complement(ranges);
  }

  /** At the letter after `\`: `\pX` / `\PX` as a JS property escape, consuming it. */
  private unicodeClass(): string | undefined {
    const c = this.re[this.pos];
    if (c !== 0x70 && c !== 0x50) return undefined;
    const name = this.re[this.pos + 1];
    if (name === undefined) throw new GoRegexpError('invalid character class range');
    const letter = String.fromCodePoint(name);
    if (name === 0x7b || !UNICODE_CATEGORIES.has(letter)) throw new GoRegexpError('invalid character class range');
    this.pos += 2;
    return `\\${c === 0x70 ? 'p' : 'P'}{${letter}}`;
  }

  /** At the character after `\`: the single character the escape stands for (Go's parseEscape). */
  private escapedChar(): number {
    const c = this.re[this.pos++];
    if (c < 0x80 && !isAsciiAlnum(c)) return c;
    const letter = String.fromCodePoint(c);
    if (letter in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[letter];
    if (c >= 0x31 && c <= 0x37 && !isOctal(this.re[this.pos])) throw new GoRegexpError('invalid escape sequence (backreferences are not supported)');
    if (c >= 0x30 && c <= 0x37) {
      let value = c - 0x30;
      for (let i = 1; i < 3 && isOctal(this.re[this.pos]); i++) value = value * 8 + (this.re[this.pos++] - 0x30);
      return value;
    }
    if (letter === 'x') {
      if (this.re[this.pos] === 0x7b) {
        this.pos++;
        let digits = '';
        while (isHex(this.re[this.pos])) digits += String.fromCodePoint(this.re[this.pos++]);
        if (this.re[this.pos] !== 0x7d || digits === '') throw new GoRegexpError('invalid escape sequence');
        this.pos++;
        const value = Number.parseInt(digits, 16);
        if (value > MAX_RUNE) throw new GoRegexpError('invalid escape sequence');
        return value;
      }
      if (!isHex(this.re[this.pos]) || !isHex(this.re[this.pos + 1])) throw new GoRegexpError('invalid escape sequence');
      const value = Number.parseInt(String.fromCodePoint(this.re[this.pos], this.re[this.pos + 1]), 16);
      this.pos += 2;
      return value;
    }
    throw new GoRegexpError(`invalid escape sequence \\${letter}`);
  }

  /** After `[`: a Go character class as a JS class. */
  private parseClass(): string {
    let negated = false;
    if (this.re[this.pos] === 0x5e) {
      negated = true;
      this.pos++;
    }
    const ranges: Range[] = [];
    const properties: string[] = [];
    let first = true;
    for (;;) {
      const c = this.re[this.pos];
      if (c === undefined) throw new GoRegexpError('missing closing ]');
      if (c === 0x5d && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === 0x5b && this.re[this.pos + 1] === 0x3a) {
        const named = this.posixClass();
        if (named !== undefined) {
          ranges.push(...named);
          continue;
        }
      }
      if (c === 0x5c) {
        this.pos++;
        if (this.re[this.pos] === undefined) throw new GoRegexpError('trailing backslash at end of expression');
        const perl = this.perlClass();
        if (perl !== undefined) {
          ranges.push(...perl);
          continue;
        }
        const unicode = this.unicodeClass();
        if (unicode !== undefined) {
          properties.push(unicode);
          continue;
        }
        this.pos--;
      }
      const lo = this.classChar();
      let hi = lo;
      if (this.re[this.pos] === 0x2d && this.re[this.pos + 1] !== undefined && this.re[this.pos + 1] !== 0x5d) {
        this.pos++;
        hi = this.classChar();
        if (hi < lo) throw new GoRegexpError('invalid character class range');
      }
      ranges.push([lo, hi]);
    }
    const body = rangesToClassBody(ranges) + properties.join('');
    return `[${negated ? '^' : ''}${body}]`;
  }

  private classChar(): number {
    const c = this.re[this.pos];
    if (c === undefined) throw new GoRegexpError('missing closing ]');
    if (c === 0x5c) {
      this.pos++;
      if (this.re[this.pos] === undefined) throw new GoRegexpError('trailing backslash at end of expression');
      return this.escapedChar();
    }
    this.pos++;
    return c;
  }

  /** At `[:`: a POSIX class such as `[:alpha:]` or `[:^space:]`, or undefined when there is no `:]`. */
  private posixClass(): readonly Range[] | undefined {
    let end = -1;
    for (let i = this.pos + 2; i + 1 < this.re.length; i++) {
      if (this.re[i] === 0x3a && this.re[i + 1] === 0x5d) {
        end = i;
        break;
      }
    }
    if (end === -1) return undefined;
    let name = String.fromCodePoint(...this.re.slice(this.pos + 2, end));
    let negated = false;
    if (name.startsWith('^')) {
      negated = true;
      name = name.slice(1);
    }
    const ranges = POSIX_CLASSES[name];
    if (ranges === undefined) throw new GoRegexpError('invalid character class range');
    this.pos = end + 2;
    return negated ? complement(ranges) : ranges;
  }
}

/** The JS RegExp (flag `u`) that matches exactly what Go's regexp.MustCompile(source) matches. */
export function goRegexp(source: string): RegExp {
  const re: number[] = [];
  for (const ch of source) re.push(ch.codePointAt(0) as number);
  return new RegExp(new Translator(re).translate(), 'u');
}
