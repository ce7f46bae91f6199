import type { IToken } from 'chevrotain';
import { chevrotain } from './chevrotain.js';
import { ParseError, ParseErrorCode, HeredocError, type ParseWarning } from './errors.js';
import { findHeredocOpeners, canContainHeredoc, type HeredocOpener } from './heredoc-openers.js';
import { skipGoSpace } from './go-text.js';
import { contentEndOf, continuationStart, lineTokens } from './lexer.js';
import { buildNode, type LineContext } from './line-parsers.js';
import { LogicalLine } from './logical-line.js';
import { LineIndex } from './source-range.js';
import type { Comment, Heredoc, SyntaxNode } from './syntax-tree.js';


/** What one parse reads and what it collects; the grammar itself keeps nothing between parses. */
export class ParseSession {
  readonly nodes: SyntaxNode[] = [];
  /** Nodes whose line had a syntax error: kept in the tree, not turned into instructions. */
  readonly invalidNodes = new Set<SyntaxNode>();
  readonly comments: Comment[] = [];
  readonly errors: ParseError[] = [];
  readonly warnings: ParseWarning[] = [];
  readonly lines: LineIndex;

  constructor(
    readonly text: string,
    readonly file: string | undefined,
    readonly escape: number,
    readonly directiveOffsets: ReadonlySet<number>,
  ) {
    this.lines = new LineIndex(text);
  }

  addComment(token: IToken): void {
    if (this.directiveOffsets.has(token.startOffset)) return;
    const hash = token.image.indexOf('#');
    const text = this.text.slice(token.startOffset + hash + 1, contentEndOf(token)).trim();
    this.comments.push({ text, range: this.lines.span(token.startOffset, contentEndOf(token)) });
  }
}

/** What the grammar tracks while it reads one instruction. */
interface InstructionState {
  line: LogicalLine;
  emptyContinuationLine: boolean;
  /** The source offset where the last physical line consumed by the instruction ends. */
  lastLineEnd: number;
  node: SyntaxNode | undefined;
  openers: HeredocOpener[];
  bodyIndex: number;
  bodyStart: number;
  content: string;
}

/**
 * The file grammar over line tokens:
 *   dockerfile   := ( EmptyLine | CommentLine | BlankLine | instruction )*
 *   instruction  := ( Line | ContinuedLine ( CommentLine | BlankLine | EmptyLine | ContinuedLine )* Line? ) heredocLine*
 * Inside a continuation, comment lines are skipped and blank or empty lines are skipped with BuildKit's warning.
 * Once the logical line is complete, the heredocs it opens read their bodies line by line up to their terminators.
 * The alternatives are built once and the actions test RECORDING_PHASE instead of allocating ACTION closures:
 * large files are parsed without making garbage per line. The class is defined on the first parse, when chevrotain
 * is loaded.
 */
function createGrammar(): { run(tokens: IToken[], session: ParseSession): void } {
  const { all: allTokenTypes, EmptyLine, CommentLine, BlankLine, ContinuedLine, Line } = lineTokens();

  class DockerfileGrammar extends chevrotain().EmbeddedActionsParser {
    private session!: ParseSession;
    private state!: InstructionState;

    constructor() {
      super(allTokenTypes, { maxLookahead: 1, recoveryEnabled: false });
      this.performSelfAnalysis();
    }

    run(tokens: IToken[], session: ParseSession): void {
      this.session = session;
      this.input = tokens;
      this.dockerfile();
      for (const error of this.errors) {
        session.errors.push(new ParseError(ParseErrorCode.Syntax, error.message, undefined, session.file));
      }
    }

    private readonly topLevelLine = [
      { ALT: () => this.CONSUME(EmptyLine) },
      {
        ALT: () => {
          const comment = this.CONSUME(CommentLine);
          if (!this.RECORDING_PHASE) this.session.addComment(comment);
        },
      },
      { ALT: () => this.CONSUME(BlankLine) },
      { ALT: () => this.SUBRULE(this.instruction) },
    ];

    private readonly dockerfile = this.RULE('dockerfile', () => {
      this.MANY(() => this.OR(this.topLevelLine));
    });

    private readonly continuationLine = [
      {
        ALT: () => {
          const comment = this.CONSUME2(CommentLine);
          if (!this.RECORDING_PHASE) this.state.lastLineEnd = contentEndOf(comment);
        },
      },
      {
        ALT: () => {
          const blank = this.CONSUME2(BlankLine);
          if (!this.RECORDING_PHASE) this.skipEmptyContinuationLine(blank);
        },
      },
      {
        ALT: () => {
          const empty = this.CONSUME2(EmptyLine);
          if (!this.RECORDING_PHASE) this.skipEmptyContinuationLine(empty);
        },
      },
      {
        ALT: () => {
          const continued = this.CONSUME2(ContinuedLine);
          if (!this.RECORDING_PHASE) this.appendContinuedLine(continued, false);
        },
      },
    ];

    private readonly continuationLines = (): void => this.OR2(this.continuationLine);

    private readonly lastContinuationLine = (): void => {
      const last = this.CONSUME2(Line);
      if (!this.RECORDING_PHASE) this.appendLine(last, false);
    };

    private readonly logicalLine = [
      {
        ALT: () => {
          const only = this.CONSUME(Line);
          if (!this.RECORDING_PHASE) this.appendLine(only, true);
        },
      },
      {
        ALT: () => {
          const first = this.CONSUME(ContinuedLine);
          if (!this.RECORDING_PHASE) this.appendContinuedLine(first, true);
          this.MANY(this.continuationLines);
          this.OPTION(this.lastContinuationLine);
        },
      },
    ];

    private readonly anyLine = [
      { ALT: () => this.CONSUME3(Line) },
      { ALT: () => this.CONSUME3(ContinuedLine) },
      { ALT: () => this.CONSUME3(CommentLine) },
      { ALT: () => this.CONSUME3(BlankLine) },
      { ALT: () => this.CONSUME3(EmptyLine) },
    ];

    private readonly heredocLines = {
      GATE: () => this.state.bodyIndex < this.state.openers.length,
      DEF: () => {
        const bodyLine = this.OR3(this.anyLine);
        if (!this.RECORDING_PHASE) this.readHeredocLine(bodyLine);
      },
    };

    private readonly instruction = this.RULE('instruction', () => {
      if (!this.RECORDING_PHASE) {
        this.state = {
          line: new LogicalLine(this.session.lines),
          emptyContinuationLine: false,
          lastLineEnd: 0,
          node: undefined,
          openers: [],
          bodyIndex: 0,
          bodyStart: -1,
          content: '',
        };
      }
      this.OR(this.logicalLine);
      if (!this.RECORDING_PHASE) this.completeInstruction();
      this.MANY2(this.heredocLines);
      if (!this.RECORDING_PHASE) this.completeHeredocs();
    });

    private appendLine(token: IToken, first: boolean): void {
      const start = first ? token.startOffset + skipGoSpace(token.image, 0) : token.startOffset;
      this.state.line.append(this.session.text.slice(start, contentEndOf(token)), start);
      this.state.lastLineEnd = contentEndOf(token);
    }

    private appendContinuedLine(token: IToken, first: boolean): void {
      const escapeAt = continuationStart(this.session.text, token.startOffset, contentEndOf(token), this.session.escape);
      const start = first ? Math.min(token.startOffset + skipGoSpace(token.image, 0), escapeAt) : token.startOffset;
      this.state.line.append(this.session.text.slice(start, escapeAt), start);
      this.state.lastLineEnd = contentEndOf(token);
    }

    private skipEmptyContinuationLine(token: IToken): void {
      this.state.emptyContinuationLine = true;
      this.state.lastLineEnd = contentEndOf(token);
    }

    private completeInstruction(): void {
      const { session, state } = this;
      if (state.line.isEmpty) return;
      const errorsBefore = session.errors.length;
      const context: LineContext = { line: state.line, escape: session.escape, file: session.file, errors: session.errors };
      const node = buildNode(context, 0, state.line.text.length);
      if (!node) return;
      node.endLine = session.lines.position(state.lastLineEnd).line;
      node.range = session.lines.span(node.range.start.offset, state.lastLineEnd);
      if (state.emptyContinuationLine) {
        session.warnings.push({
          code: 'NoEmptyContinuation',
          message: `Empty continuation line found in: ${state.line.text}`,
          range: node.range,
        });
      }
      session.nodes.push(node);
      if (session.errors.length > errorsBefore) session.invalidNodes.add(node);
      state.node = node;
      if (canContainHeredoc(node)) state.openers = findHeredocOpeners(state.line, session.file, session.errors);
    }

    private readHeredocLine(bodyLine: IToken): void {
      const state = this.state;
      if (state.bodyStart === -1) state.bodyStart = bodyLine.startOffset;
      const contentEnd = contentEndOf(bodyLine);
      const opener = state.openers[state.bodyIndex];
      let candidate = this.session.text.slice(bodyLine.startOffset, contentEnd);
      if (opener.chomp) candidate = candidate.replace(/^\t+/, '');
      state.lastLineEnd = contentEnd;
      if (candidate === opener.name) {
        this.addHeredoc(state.node as SyntaxNode, opener, state.content, state.bodyStart, contentEnd);
        state.bodyIndex++;
        state.content = '';
        state.bodyStart = -1;
      } else {
        state.content += bodyLine.image;
      }
    }

    private completeHeredocs(): void {
      const { session, state } = this;
      const node = state.node;
      if (!node || state.openers.length === 0) return;
      if (state.bodyIndex < state.openers.length) {
        const opener = state.openers[state.bodyIndex];
        session.errors.push(new HeredocError(ParseErrorCode.UnterminatedHeredoc, `unterminated heredoc ${opener.name}`, opener.range, session.file));
        session.invalidNodes.add(node);
      }
      node.range = session.lines.span(node.range.start.offset, state.lastLineEnd);
      node.endLine = session.lines.position(state.lastLineEnd).line;
    }

    private addHeredoc(node: SyntaxNode, opener: HeredocOpener, content: string, bodyStart: number, end: number): void {
      const heredoc: Heredoc = {
        name: opener.name,
        fileDescriptor: opener.fileDescriptor,
        expand: opener.expand,
        chomp: opener.chomp,
        content,
        openerRange: opener.range,
        bodyRange: this.session.lines.span(bodyStart, end),
      };
      const target = node.name === 'ONBUILD' && node.child ? node.child : node;
      target.heredocs.push(heredoc);
    }
  }

  return new DockerfileGrammar();
}

let grammar: ReturnType<typeof createGrammar> | undefined;

/** The grammar is built once (chevrotain's self-analysis is costly) and reused by every parse. */
export function runGrammar(tokens: IToken[], session: ParseSession): void {
  grammar ??= createGrammar();
  grammar.run(tokens, session);
}
