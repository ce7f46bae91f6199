import { ExpansionError, ParseErrorCode } from '../errors.js';
import {
  CH_BACKSLASH,
  CH_BACKTICK,
  CH_BOM,
  CH_COLON,
  CH_DOLLAR,
  CH_DOUBLE_QUOTE,
  CH_HASH,
  CH_LEFT_BRACE,
  CH_MINUS,
  CH_PERCENT,
  CH_PLUS,
  CH_QUESTION,
  CH_RIGHT_BRACE,
  CH_SINGLE_QUOTE,
  CH_SLASH,
  codePointAt,
  codePointWidth,
  isGoDigit,
  isNameChar,
  isSpecialParameter,
} from './chars.js';
import type { Lookup } from './environment.js';
import { applyModifier, applyReplace, ModifierError } from './modifiers.js';
import type { ExpandOptions } from './types.js';
import { WordSplitter } from './word-splitter.js';

/*
 * BuildKit's lexer (frontend/dockerfile/shell/lex.go) is recursive: processStopOn ->
 * processDollar -> processStopOn ... for every `${` level. This one keeps the same states
 * on an explicit stack, so nesting depth costs heap, never JS stack: 10,000 nested
 * `${a:-${b:-...}}` run in linear time and there is no nesting limit.
 *
 * Frames:
 *  - text:   processStopOn — plain text up to a stop character (`}` / `/`) or the end;
 *  - quoted: processDoubleQuote;
 *  - brace:  the part of processDollar that waits for its word (or pattern/replacement).
 * A brace frame always has a text frame above it while it is waiting.
 */

const TEXT = 0;
const QUOTED = 1;
const BRACE = 2;

/** Brace phases: the word of `-+?#%`, or the pattern / replacement of `/`. */
const PHASE_WORD = 0;
const PHASE_PATTERN = 1;
const PHASE_REPLACEMENT = 2;

const END = -1;

interface TextFrame {
  kind: typeof TEXT;
  /** Stop character code, or END for the whole word. */
  stop: number;
  /** BuildKit's `rawEscapes` while this frame runs. */
  raw: boolean;
  out: string;
  /** Field splitting, only for the outermost frame of `expandWords`. */
  words: WordSplitter | null;
}

interface QuotedFrame {
  kind: typeof QUOTED;
  raw: boolean;
  out: string;
}

interface BraceFrame {
  kind: typeof BRACE;
  name: string;
  /** The operator character (after `:` for the `:` forms), or END. */
  op: number;
  /** The operator as written, e.g. `:-`, for messages and for SkipUnsetEnv output. */
  spelled: string;
  nullIsUnset: boolean;
  phase: number;
  replaceAll: boolean;
  pattern: string;
}

type Frame = TextFrame | QuotedFrame | BraceFrame;

/** What one run of the lexer produced. */
export interface LexResult {
  value: string;
  words: string[] | null;
}

export interface LexTracking {
  matched: Set<string>;
  unmatched: Set<string>;
}

/**
 * Expands one word. `wantWords` also splits it into fields (ProcessWords);
 * `tracking` records which names were looked up (ProcessWordWithMatches).
 */
export function lexWord(
  word: string,
  lookup: Lookup,
  options: ExpandOptions | undefined,
  wantWords: boolean,
  tracking: LexTracking | null,
): LexResult {
  const escapeToken = options?.escapeToken ?? '\\';
  if (escapeToken !== '\\' && escapeToken !== '`') {
    throw new TypeError(`escapeToken must be '\\' or '\`', got ${JSON.stringify(escapeToken)}`);
  }
  const processQuotes = options?.skipProcessQuotes !== true;
  // Nothing to expand: the common case for most Dockerfile words.
  if (
    word.indexOf('$') < 0 &&
    word.indexOf(escapeToken) < 0 &&
    (!processQuotes || (word.indexOf('"') < 0 && word.indexOf("'") < 0)) &&
    word.charCodeAt(0) !== CH_BOM
  ) {
    if (!wantWords) return { value: word, words: null };
    const splitter = new WordSplitter();
    splitter.addSplittable(word);
    return { value: word, words: splitter.finish() };
  }
  return new Lexer(word, lookup, options, escapeToken, processQuotes, tracking).run(wantWords);
}

class Lexer {
  private readonly src: string;
  private readonly length: number;
  private readonly lookupFn: Lookup;
  private readonly escapeChar: string;
  private readonly escape: number;
  private readonly processQuotes: boolean;
  private readonly rawQuotes: boolean;
  private readonly rawEscapes: boolean;
  private readonly skipUnset: boolean;
  private readonly tracking: LexTracking | null;
  private readonly stack: Frame[] = [];
  private pos = 0;

  constructor(
    src: string,
    lookup: Lookup,
    options: ExpandOptions | undefined,
    escapeChar: string,
    processQuotes: boolean,
    tracking: LexTracking | null,
  ) {
    this.src = src;
    this.length = src.length;
    this.lookupFn = lookup;
    this.escapeChar = escapeChar;
    this.escape = escapeChar === '`' ? CH_BACKTICK : CH_BACKSLASH;
    this.processQuotes = processQuotes;
    this.rawQuotes = options?.rawQuotes === true;
    this.rawEscapes = options?.rawEscapes === true;
    this.skipUnset = options?.skipUnsetEnv === true;
    this.tracking = tracking;
  }

  run(wantWords: boolean): LexResult {
    // Go's text/scanner drops a byte-order mark at the very start of its input.
    if (this.length > 0 && this.src.charCodeAt(0) === CH_BOM) this.pos = 1;
    const top: TextFrame = {
      kind: TEXT,
      stop: END,
      raw: this.rawEscapes,
      out: '',
      words: wantWords ? new WordSplitter() : null,
    };
    const stack = this.stack;
    stack.push(top);
    for (;;) {
      const frame = stack[stack.length - 1];
      const done = frame.kind === TEXT ? this.scanText(frame) : this.scanQuoted(frame as QuotedFrame);
      if (done === null) continue; // a child frame was pushed
      stack.pop();
      if (stack.length === 0) return { value: done, words: top.words ? top.words.finish() : null };
      const parent = stack[stack.length - 1];
      if (frame.kind === QUOTED) {
        this.appendQuoted(parent as TextFrame, done);
      } else {
        const value = this.braceStep(parent as BraceFrame, done);
        if (value !== null) {
          stack.pop();
          this.appendExpansion(stack[stack.length - 1] as TextFrame | QuotedFrame, value);
        }
      }
    }
  }

  // ---- output helpers -------------------------------------------------------------------

  private appendExpansion(frame: TextFrame | QuotedFrame, value: string): void {
    frame.out += value;
    if (frame.kind === TEXT && frame.words !== null) frame.words.addSplittable(value);
  }

  private appendQuoted(frame: TextFrame, value: string): void {
    frame.out += value;
    if (frame.words !== null) frame.words.addVerbatim(value);
  }

  // ---- processStopOn --------------------------------------------------------------------

  /** Scans a text frame; returns its text when it ends, or null after pushing a child. */
  private scanText(frame: TextFrame): string | null {
    const src = this.src;
    const length = this.length;
    const stop = frame.stop;
    const escape = this.escape;
    const quotes = this.processQuotes;
    const words = frame.words;
    let pos = this.pos;
    let runStart = pos;
    while (pos < length) {
      const c = src.charCodeAt(pos);
      if (c !== stop && c !== CH_DOLLAR && c !== escape && (!quotes || (c !== CH_SINGLE_QUOTE && c !== CH_DOUBLE_QUOTE))) {
        pos++;
        continue;
      }
      if (pos > runStart) {
        const run = src.slice(runStart, pos);
        frame.out += run;
        if (words !== null) words.addSplittable(run);
      }
      if (c === stop) {
        this.pos = pos + 1;
        return frame.out;
      }
      if (c === CH_DOLLAR) {
        this.pos = pos;
        const value = this.dollar();
        if (value === null) return null;
        this.appendExpansion(frame, value);
      } else if (c === CH_SINGLE_QUOTE) {
        this.pos = pos;
        this.appendQuoted(frame, this.singleQuote());
      } else if (c === CH_DOUBLE_QUOTE) {
        this.pos = pos + 1;
        this.stack.push({ kind: QUOTED, raw: frame.raw, out: this.rawQuotes ? '"' : '' });
        return null;
      } else {
        // The escape token: the next character is taken literally; a final one is dropped.
        if (frame.raw) {
          frame.out += this.escapeChar;
          if (words !== null) words.addVerbatim(this.escapeChar);
        }
        this.pos = pos + 1;
        if (this.pos < length) {
          const escaped = src[this.pos];
          frame.out += escaped;
          if (words !== null) words.addVerbatim(escaped);
          this.pos += 1;
        }
      }
      pos = this.pos;
      runStart = pos;
    }
    if (pos > runStart) {
      const run = src.slice(runStart, pos);
      frame.out += run;
      if (words !== null) words.addSplittable(run);
    }
    this.pos = length;
    if (stop !== END) {
      this.fail(`unexpected end of statement while looking for matching ${String.fromCharCode(stop)}`, false);
    }
    return frame.out;
  }

  // ---- quotes ---------------------------------------------------------------------------

  /** processSingleQuote: everything up to the next `'` is literal. */
  private singleQuote(): string {
    const open = this.pos;
    const close = this.src.indexOf("'", open + 1);
    if (close < 0) {
      this.pos = this.length;
      this.fail('unexpected end of statement while looking for matching single-quote', false);
    }
    this.pos = close + 1;
    return this.rawQuotes ? this.src.slice(open, close + 1) : this.src.slice(open + 1, close);
  }

  /** processDoubleQuote: `$` expands; the escape token only escapes `"`, `$` and itself. */
  private scanQuoted(frame: QuotedFrame): string | null {
    const src = this.src;
    const length = this.length;
    const escape = this.escape;
    let pos = this.pos;
    let runStart = pos;
    while (pos < length) {
      const c = src.charCodeAt(pos);
      if (c !== CH_DOUBLE_QUOTE && c !== CH_DOLLAR && c !== escape) {
        pos++;
        continue;
      }
      if (pos > runStart) frame.out += src.slice(runStart, pos);
      if (c === CH_DOUBLE_QUOTE) {
        this.pos = pos + 1;
        if (this.rawQuotes) frame.out += '"';
        return frame.out;
      }
      if (c === CH_DOLLAR) {
        this.pos = pos;
        const value = this.dollar();
        if (value === null) return null;
        frame.out += value;
        pos = this.pos;
      } else {
        if (frame.raw) frame.out += this.escapeChar;
        pos++;
        if (pos < length) {
          const next = src.charCodeAt(pos);
          if (next === CH_DOUBLE_QUOTE || next === CH_DOLLAR || next === escape) {
            frame.out += src[pos];
            pos++;
          } else {
            // Any other escape stays as written (and is doubled under rawEscapes, as in BuildKit).
            frame.out += this.escapeChar;
          }
        }
      }
      runStart = pos;
    }
    if (pos > runStart) frame.out += src.slice(runStart, pos);
    this.pos = length;
    return this.fail('unexpected end of statement while looking for matching double-quote', false);
  }

  // ---- processDollar --------------------------------------------------------------------

  /**
   * At a `$`: returns the expansion of `$name`, `${name}` or a lone `$`, or pushes a brace
   * frame plus its text frame for `${name<op>...}` and returns null.
   */
  private dollar(): string | null {
    const src = this.src;
    const length = this.length;
    let pos = this.pos + 1;
    if (pos >= length || src.charCodeAt(pos) !== CH_LEFT_BRACE) {
      const end = this.nameEnd(pos);
      this.pos = end;
      if (end === pos) return '$';
      const name = src.slice(pos, end);
      const value = this.lookup(name);
      if (value === undefined) return this.skipUnset ? '$' + name : '';
      return value;
    }

    pos += 1; // past `{`
    if (pos >= length) {
      this.pos = pos;
      this.fail("syntax error: missing '}'", false);
    }
    const first = src.charCodeAt(pos);
    if (first === CH_LEFT_BRACE || first === CH_RIGHT_BRACE || first === CH_COLON) {
      this.pos = pos;
      this.fail('syntax error: bad substitution', false);
    }
    const nameEnd = this.nameEnd(pos);
    const name = src.slice(pos, nameEnd);
    pos = nameEnd;
    if (pos >= length) {
      // BuildKit reports "unsupported modifier (\uFFFD)" here; the real problem is the brace.
      this.pos = pos;
      this.fail("syntax error: missing '}'", false);
    }
    const op = codePointAt(src, pos);
    pos += codePointWidth(op);
    const spelled = String.fromCodePoint(op);

    switch (op) {
      case CH_RIGHT_BRACE: {
        this.pos = pos;
        const value = this.lookup(name);
        if (value === undefined) return this.skipUnset ? '${' + name + '}' : '';
        return value;
      }
      case CH_COLON: {
        // `:` makes empty count as unset; whatever follows is taken as the operator.
        let colonOp = END;
        let colonSpelled = ':';
        if (pos < length) {
          colonOp = codePointAt(src, pos);
          pos += codePointWidth(colonOp);
          colonSpelled += String.fromCodePoint(colonOp);
        }
        this.pos = pos;
        this.pushBrace(name, colonOp, colonSpelled, true);
        return null;
      }
      case CH_PLUS:
      case CH_MINUS:
      case CH_QUESTION:
      case CH_HASH:
      case CH_PERCENT:
        this.pos = pos;
        this.pushBrace(name, op, spelled, false);
        return null;
      case CH_SLASH: {
        const all = pos < length && src.charCodeAt(pos) === CH_SLASH;
        if (all) pos += 1;
        this.pos = pos;
        this.stack.push({
          kind: BRACE,
          name,
          op,
          spelled: all ? '//' : '/',
          nullIsUnset: false,
          phase: PHASE_PATTERN,
          replaceAll: all,
          pattern: '',
        });
        this.stack.push({ kind: TEXT, stop: CH_SLASH, raw: true, out: '', words: null });
        return null;
      }
      default:
        this.pos = pos;
        return this.fail(`unsupported modifier (${spelled}) in substitution`, false);
    }
  }

  private pushBrace(name: string, op: number, spelled: string, nullIsUnset: boolean): void {
    this.stack.push({ kind: BRACE, name, op, spelled, nullIsUnset, phase: PHASE_WORD, replaceAll: false, pattern: '' });
    // Patterns of `#`/`%` keep their escapes so `\*` stays a literal star.
    const keepEscapes = op === CH_HASH || op === CH_PERCENT;
    this.stack.push({ kind: TEXT, stop: CH_RIGHT_BRACE, raw: keepEscapes, out: '', words: null });
  }

  /** A brace frame's text child finished with `text`: the value, or null when it pushed the next part. */
  private braceStep(brace: BraceFrame, text: string): string | null {
    if (brace.phase === PHASE_PATTERN) {
      brace.pattern = text;
      brace.phase = PHASE_REPLACEMENT;
      this.stack.push({ kind: TEXT, stop: CH_RIGHT_BRACE, raw: true, out: '', words: null });
      return null;
    }
    const value = this.lookup(brace.name);
    try {
      if (brace.phase === PHASE_REPLACEMENT) {
        // BuildKit re-spells `${V//p/r}` with a single slash here.
        if (value === undefined && this.skipUnset) return '${' + brace.name + '/' + brace.pattern + '/' + text + '}';
        return applyReplace(brace.pattern, text, brace.replaceAll, value);
      }
      if (value === undefined && this.skipUnset) return '${' + brace.name + brace.spelled + text + '}';
      return applyModifier(brace.name, brace.op, brace.spelled, brace.nullIsUnset, text, value);
    } catch (error) {
      if (error instanceof ModifierError) return this.fail(error.message, true);
      throw error;
    }
  }

  // ---- names, lookups, errors -----------------------------------------------------------

  /** processName: digits-only positional names, one-character special names, or [letters digits _]. */
  private nameEnd(start: number): number {
    const src = this.src;
    const length = this.length;
    if (start >= length) return start;
    let pos = start;
    const first = codePointAt(src, pos);
    if (isGoDigit(first)) {
      do {
        pos += codePointWidth(codePointAt(src, pos));
      } while (pos < length && isGoDigit(codePointAt(src, pos)));
      return pos;
    }
    if (isSpecialParameter(first)) return pos + 1;
    while (pos < length) {
      const cp = codePointAt(src, pos);
      if (!isNameChar(cp)) break;
      pos += codePointWidth(cp);
    }
    return pos;
  }

  private lookup(name: string): string | undefined {
    const value = this.lookupFn(name);
    const tracking = this.tracking;
    if (tracking !== null) {
      if (value === undefined) tracking.unmatched.add(name);
      else tracking.matched.add(name);
    }
    return value;
  }

  /**
   * Throws the ExpansionError for `message`. As in BuildKit, an error that surfaces while
   * the input is exhausted inside `${...}` becomes "missing '}'" (or "missing '/' in ${}"
   * while reading a pattern), decided by the outermost enclosing brace. `fromBrace` says
   * the topmost brace frame raised the error itself and does not enclose it.
   */
  private fail(message: string, fromBrace: boolean): never {
    if (this.pos >= this.length) {
      const stack = this.stack;
      const enclosing = fromBrace ? stack.length - 1 : stack.length;
      for (let i = 0; i < enclosing; i++) {
        const frame = stack[i];
        if (frame.kind === BRACE) {
          message = frame.phase === PHASE_PATTERN ? "syntax error: missing '/' in ${}" : "syntax error: missing '}'";
          break;
        }
      }
    }
    throw new ExpansionError(ParseErrorCode.Expansion, message);
  }
}
