import { EmbeddedActionsParser, EOF, type IToken } from 'chevrotain';
import { ParseError, ParseErrorCode, HeredocError, type ParseWarning } from './errors.js';
import { findHeredocOpeners, canContainHeredoc, type HeredocOpener } from './heredoc-openers.js';
import { allTokenTypes, BlankLine, CommentLine, Continuation, LineBreak, Text } from './lexer.js';
import { buildNode, type LineContext } from './line-parsers.js';
import { LogicalLine } from './logical-line.js';
import { skipGoSpace } from './go-text.js';
import { LineIndex } from './source-range.js';
import type { Comment, Heredoc, SyntaxNode } from './syntax-tree.js';

/** What one parse reads and what it collects; the grammar itself is stateless between parses. */
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
    this.comments.push({ text: token.image.slice(hash + 1).trim(), range: this.lines.span(token.startOffset, endOf(token)) });
  }
}

/**
 * The file grammar over physical-line tokens:
 *   dockerfile  := ( LineBreak | CommentLine | BlankLine | instruction )*
 *   instruction := firstLine continuationLine* heredocBody*
 * An instruction's first line is text with an optional trailing continuation; while a line continues, the next
 * lines join it, except comment lines (skipped) and blank lines (skipped, with BuildKit's warning). After the
 * logical line is complete, the heredocs it opens read their bodies line by line up to their terminators.
 */
class DockerfileGrammar extends EmbeddedActionsParser {
  private session!: ParseSession;

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

  private readonly dockerfile = this.RULE('dockerfile', () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(LineBreak) },
        {
          ALT: () => {
            const comment = this.CONSUME(CommentLine);
            this.ACTION(() => this.session.addComment(comment));
          },
        },
        { ALT: () => this.CONSUME(BlankLine) },
        { ALT: () => this.SUBRULE(this.instruction) },
      ]);
    });
  });

  private readonly instruction = this.RULE('instruction', () => {
    const line = this.ACTION(() => new LogicalLine(this.session.lines));
    let continued = false;
    let emptyContinuationLine = false;
    /** The source offset where the last physical line consumed by this instruction ends. */
    let lastLineEnd = 0;

    const appendText = (token: IToken, trimLeft: boolean): void => {
      const skip = trimLeft ? skipGoSpace(token.image, 0) : 0;
      line.append(skip === 0 ? token.image : token.image.slice(skip), token.startOffset + skip);
    };

    this.OR([
      {
        ALT: () => {
          const text = this.CONSUME(Text);
          this.OPTION(() => {
            const continuation = this.CONSUME(Continuation);
            this.ACTION(() => (lastLineEnd = endOf(continuation)));
            continued = true;
          });
          this.ACTION(() => {
            appendText(text, true);
            if (!continued) lastLineEnd = endOf(text);
          });
        },
      },
      {
        ALT: () => {
          const continuation = this.CONSUME2(Continuation);
          continued = true;
          this.ACTION(() => (lastLineEnd = endOf(continuation)));
        },
      },
    ]);

    this.MANY({
      GATE: () => continued && this.LA(1).tokenType === LineBreak && this.LA(2).tokenType !== EOF,
      DEF: () => {
        const lineBreak = this.CONSUME(LineBreak);
        this.OR2([
          {
            ALT: () => {
              const comment = this.CONSUME2(CommentLine);
              this.ACTION(() => (lastLineEnd = endOf(comment)));
            },
          },
          {
            ALT: () => {
              const blank = this.CONSUME2(BlankLine);
              this.ACTION(() => (lastLineEnd = endOf(blank)));
              emptyContinuationLine = true;
            },
          },
          {
            ALT: () => {
              const text = this.CONSUME2(Text);
              continued = false;
              this.ACTION(() => {
                appendText(text, false);
                lastLineEnd = endOf(text);
              });
              this.OPTION2(() => {
                const continuation = this.CONSUME3(Continuation);
                this.ACTION(() => (lastLineEnd = endOf(continuation)));
                continued = true;
              });
            },
          },
          {
            ALT: () => {
              const continuation = this.CONSUME4(Continuation);
              this.ACTION(() => (lastLineEnd = endOf(continuation)));
            },
          },
          {
            // An empty line: nothing before the next line break.
            ALT: () =>
              this.ACTION(() => {
                emptyContinuationLine = true;
                lastLineEnd = endOf(lineBreak);
              }),
          },
        ]);
      },
    });

    const node = this.ACTION(() => this.completeInstruction(line, lastLineEnd, emptyContinuationLine));
    const openers = this.ACTION(() => (node && canContainHeredoc(node) ? findHeredocOpeners(line, this.session.file, this.session.errors) : []));
    let bodyIndex = 0;
    let content = '';
    let bodyStart = -1;

    this.MANY2({
      GATE: () => bodyIndex < openers.length && this.LA(1).tokenType === LineBreak && this.LA(2).tokenType !== EOF,
      DEF: () => {
        const lineBreak = this.CONSUME2(LineBreak);
        this.MANY3(() => {
          this.OR3([
            { ALT: () => this.CONSUME3(Text) },
            { ALT: () => this.CONSUME5(Continuation) },
            { ALT: () => this.CONSUME3(CommentLine) },
            { ALT: () => this.CONSUME3(BlankLine) },
          ]);
        });
        this.ACTION(() => {
          const lineStart = endOf(lineBreak);
          if (bodyStart === -1) bodyStart = lineStart;
          const next = this.LA(1);
          const contentEnd = next.tokenType === EOF ? this.session.text.length : next.startOffset;
          const lineEnd = next.tokenType === EOF ? contentEnd : endOf(next);
          const rawLine = this.session.text.slice(lineStart, contentEnd);
          const opener = openers[bodyIndex];
          const candidate = opener.chomp ? rawLine.replace(/^\t+/, '') : rawLine;
          lastLineEnd = contentEnd;
          if (candidate === opener.name) {
            this.addHeredoc(node as SyntaxNode, opener, content, bodyStart, lastLineEnd);
            bodyIndex++;
            content = '';
            bodyStart = -1;
          } else {
            content += this.session.text.slice(lineStart, lineEnd);
          }
        });
      },
    });

    this.ACTION(() => {
      if (!node) return;
      if (bodyIndex < openers.length) {
        const opener = openers[bodyIndex];
        this.session.errors.push(new HeredocError(ParseErrorCode.UnterminatedHeredoc, `unterminated heredoc ${opener.name}`, opener.range, this.session.file));
        this.session.invalidNodes.add(node);
      }
      if (openers.length > 0) {
        node.range = this.session.lines.span(node.range.start.offset, lastLineEnd);
        node.endLine = this.session.lines.position(lastLineEnd).line;
      }
    });
  });

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

  private completeInstruction(line: LogicalLine, end: number, emptyContinuationLine: boolean): SyntaxNode | undefined {
    const session = this.session;
    if (line.isEmpty) return undefined;
    const errorsBefore = session.errors.length;
    const context: LineContext = { line, escape: session.escape, file: session.file, errors: session.errors };
    const node = buildNode(context, 0, line.text.length);
    if (!node) return undefined;
    node.endLine = session.lines.position(end).line;
    node.range = session.lines.span(node.range.start.offset, end);
    if (emptyContinuationLine) {
      session.warnings.push({
        code: 'NoEmptyContinuation',
        message: `Empty continuation line found in: ${line.text}`,
        range: node.range,
      });
    }
    session.nodes.push(node);
    if (session.errors.length > errorsBefore) session.invalidNodes.add(node);
    return node;
  }
}

/** Just past a token's last character. */
function endOf(token: IToken): number {
  return token.startOffset + token.image.length;
}

let grammar: DockerfileGrammar | undefined;

/** The grammar is built once (chevrotain's self-analysis is costly) and reused by every parse. */
export function runGrammar(tokens: IToken[], session: ParseSession): void {
  grammar ??= new DockerfileGrammar();
  grammar.run(tokens, session);
}
