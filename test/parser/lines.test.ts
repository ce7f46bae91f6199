import { describe, expect, it } from 'vitest';
import { dumpSyntaxTree, parseSyntax } from '../../src/parser/index.js';

const dump = (text: string): string => dumpSyntaxTree(parseSyntax(text).syntax);

describe('parser directives', () => {
  it('reads syntax, escape and check from the leading comments only', () => {
    const { syntax } = parseSyntax('# syntax=docker/dockerfile:1\n#  Escape = `\n# check=skip=all\nFROM a\n# escape=\\\nRUN x\n');
    expect(syntax.directives.map((directive) => [directive.name, directive.value, directive.range.start.line])).toEqual([
      ['syntax', 'docker/dockerfile:1', 1],
      ['escape', '`', 2],
      ['check', 'skip=all', 3],
    ]);
    expect(syntax.escapeChar).toBe('`');
    expect(syntax.comments.map((comment) => comment.text)).toEqual(['escape=\\']);
  });

  it('stops at the first line that is not a directive', () => {
    for (const text of ['# hello\n# escape=`\nFROM a\n', '\n# escape=`\nFROM a\n', '# unknown=1\n# escape=`\nFROM a\n']) {
      expect(parseSyntax(text).syntax.escapeChar).toBe('\\');
    }
  });

  it('passes over a shebang on line 1', () => {
    expect(parseSyntax('#!/usr/bin/env build-image\n# escape=`\nFROM a\n').syntax.escapeChar).toBe('`');
  });

  it('reports repeated and invalid directives', () => {
    expect(parseSyntax('# escape=`\n# escape=\\\nFROM a\n').errors.map((error) => [error.code, error.detail])).toEqual([
      ['DUPLICATE_DIRECTIVE', 'only one escape parser directive can be used'],
    ]);
    expect(parseSyntax('# escape=x\nFROM a\n').errors.map((error) => error.code)).toEqual(['INVALID_DIRECTIVE']);
  });
});

describe('escape character and continuations', () => {
  it('continues lines with the backslash by default, keeping continuation-line indentation', () => {
    expect(dump('RUN echo hello \\\n  world')).toBe('(run "echo hello   world")\n');
  });

  it('continues lines with the backtick under escape=`, where backslash is data', () => {
    const text = '# escape=`\nFROM windows\nRUN dir C:\\ `\n  /s\nCOPY --chown=a` b x y\n';
    expect(dump(text)).toBe('(from "windows")\n(run "dir C:\\\\   /s")\n(copy ["--chown=a b"] "x" "y")\n');
  });

  it('does not continue after an escaped escape character', () => {
    expect(dump('ENV C trailing\\\\backslash\\\\\nRUN x')).toBe('(env "C" "trailing\\\\\\\\backslash\\\\\\\\" "")\n(run "x")\n');
  });

  it('skips comment lines inside a continuation, even with a trailing escape', () => {
    expect(dump('RUN a \\\n# comment \\\n  # indented\n  b')).toBe('(run "a   b")\n');
  });

  it('skips empty continuation lines and collects BuildKit\'s warning', () => {
    const result = parseSyntax('FROM a\nRUN a \\\n\n   \n  b\n');
    expect(dumpSyntaxTree(result.syntax)).toBe('(from "a")\n(run "a   b")\n');
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0].message).toBe('Empty continuation line found in: RUN a   b');
    expect(result.warnings[0].range.start.line).toBe(2);
  });

  it('ends an instruction at end of file after a continuation', () => {
    expect(dump('FROM a\nRUN a \\')).toBe('(from "a")\n(run "a")\n');
    expect(dump('FROM a\nRUN a \\\n')).toBe('(from "a")\n(run "a")\n');
  });

  it('treats a line holding only the escape as a continuation', () => {
    expect(dump('RUN a \\\n\\\n b')).toBe('(run "a  b")\n');
  });
});

describe('line endings and encoding', () => {
  it('strips a UTF-8 byte-order mark and counts columns after it', () => {
    const { syntax, errors } = parseSyntax('\ufeffFROM a\nRUN b\n');
    expect(errors).toEqual([]);
    expect(dumpSyntaxTree(syntax)).toBe('(from "a")\n(run "b")\n');
    expect(syntax.nodes[0].range.start).toMatchObject({ line: 1, column: 1 });
  });

  it('handles CRLF line endings and continuations', () => {
    const text = 'FROM a\r\nRUN echo \\\r\n  b\r\nCOPY x y\r\n';
    expect(dump(text)).toBe('(from "a")\n(run "echo   b")\n(copy "x" "y")\n');
    expect(parseSyntax(text).syntax.nodes[1].endLine).toBe(3);
  });

  it('keeps a lone carriage return inside a line as data', () => {
    expect(dump('RUN a\rb\n')).toBe('(run "a\\rb")\n');
  });

  it('treats Unicode white space as BuildKit does', () => {
    expect(dump('RUN\u00a0x')).toBe('(run\u00a0x "")\n');
    expect(dump('\u00a0 RUN a\u00a0')).toBe('(run "a")\n');
  });
});
