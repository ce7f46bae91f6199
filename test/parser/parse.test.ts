import { describe, expect, it } from 'vitest';
import { dumpSyntaxTree, parse, parseOrThrow, parseSyntax, DockerfileSyntaxError, ParseError } from '../../src/parser/index.js';

const dump = (text: string): string => dumpSyntaxTree(parseSyntax(text).syntax);

describe('instructions and forms', () => {
  it('parses every instruction keyword, case-insensitively', () => {
    const text = [
      'from busybox AS base',
      'RUN echo hi',
      'CMD ["sh"]',
      'LABEL a=b',
      'MAINTAINER me',
      'EXPOSE 80/tcp 53/udp',
      'ENV A=1',
      'ADD a /b',
      'COPY a /b',
      'ENTRYPOINT ["/bin/sh", "-c"]',
      'VOLUME /data',
      'USER nobody',
      'WORKDIR /w',
      'ARG X=1',
      'ONBUILD RUN echo',
      'STOPSIGNAL SIGTERM',
      'HEALTHCHECK CMD true',
      'SHELL ["/bin/sh", "-c"]',
    ].join('\n');
    const result = parse(text);
    expect(result.errors).toEqual([]);
    expect(result.syntax.nodes.map((node) => node.name)).toEqual([
      'FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER',
      'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL',
    ]);
    expect(result.instructions.map((instruction) => instruction.kind)).toEqual(result.syntax.nodes.map((node) => node.name));
  });

  it('reports unknown keywords with their location but keeps them in the syntax tree', () => {
    const result = parse('FROM a\nFOO bar baz\nRUN x\nBAR\n', { file: 'df' });
    expect(result.syntax.nodes.map((node) => node.keyword)).toEqual(['FROM', 'FOO', 'RUN', 'BAR']);
    expect(dumpSyntaxTree(result.syntax)).toBe('(from "a")\n(foo "")\n(run "x")\n(bar "")\n');
    expect(result.errors.map((error) => [error.code, error.range?.start.line, error.range?.start.column])).toEqual([
      ['UNKNOWN_INSTRUCTION', 2, 1],
      ['UNKNOWN_INSTRUCTION', 4, 1],
    ]);
    expect(result.errors[0].message).toMatch(/^df:2:1: /);
    expect(result.instructions.map((instruction) => instruction.kind)).toEqual(['FROM', 'RUN']);
  });

  it('decides exec or shell form as BuildKit does', () => {
    expect(dump('RUN ["echo", "hi"]')).toBe('(run "echo" "hi")\n');
    expect(dump("RUN ['echo', 'hi']")).toBe('(run "[\'echo\', \'hi\']")\n');
    expect(dump('RUN ["echo", "hi"] trailing')).toBe('(run "[\\"echo\\", \\"hi\\"] trailing")\n');
    expect(dump('RUN ["echo", "hi",]')).toBe('(run "[\\"echo\\", \\"hi\\",]")\n');
    expect(dump('CMD []')).toBe('(cmd)\n');
    expect(dump('CMD [""]')).toBe('(cmd "")\n');
    expect(dump('CMD ["a\\/b", "\\u00e9"]')).toBe('(cmd "a/b" "é")\n');
    expect(parseSyntax('RUN ["echo", "hi"]').syntax.nodes[0].json).toBe(true);
    expect(parseSyntax('RUN echo hi').syntax.nodes[0].json).toBe(false);
  });

  it('rejects JSON arrays holding non-strings, with the location', () => {
    const { errors } = parseSyntax('FROM a\nCMD ["a", 1]\nRUN [["x"]]\n');
    expect(errors.map((error) => [error.code, error.range?.start.line])).toEqual([
      ['JSON_ARRAY_NOT_STRINGS', 2],
      ['JSON_ARRAY_NOT_STRINGS', 3],
    ]);
    expect(errors[0].detail).toBe('when using JSON array syntax, arrays must be comprised of strings only');
  });

  it('splits arguments per instruction kind', () => {
    expect(dump('COPY "a b" c')).toBe('(copy "\\"a" "b\\"" "c")\n');
    expect(dump('ENV name="value value1"')).toBe('(env "name" "\\"value value1\\"" "=")\n');
    expect(dump('ENV name value\\ value2')).toBe('(env "name" "value\\\\ value2" "")\n');
    expect(dump('ARG abc="123 456" def')).toBe('(arg "abc=\\"123 456\\"" "def")\n');
    expect(dump('FROM a AS b')).toBe('(from "a" "AS" "b")\n');
    expect(dump('HEALTHCHECK --interval=5s CMD /app/check.sh --quiet')).toBe(
      '(healthcheck ["--interval=5s"] "CMD" "/app/check.sh --quiet")\n',
    );
    expect(dump('HEALTHCHECK NONE')).toBe('(healthcheck "NONE")\n');
    expect(dump('ONBUILD ONBUILD RUN x')).toBe('(onbuild (onbuild (run "x")))\n');
    expect(dump('RUN')).toBe('(run)\n');
  });

  it('errors on ENV without a value and on words without =', () => {
    const { errors } = parseSyntax('FROM a\nENV PATH\nLABEL a=b c\n');
    expect(errors.map((error) => [error.code, error.detail])).toEqual([
      ['MISSING_ARGUMENTS', 'ENV must have two arguments'],
      ['INVALID_ARGUMENTS', 'Syntax error - can\'t find = in "c". Must be of the form: name=value'],
    ]);
    expect(errors[1].range?.start).toMatchObject({ line: 3, column: 11 });
  });
});

describe('flags', () => {
  it('extracts flags for every instruction, removing quotes and escapes', () => {
    expect(dump('CMD --doit [ "a", "b" ]')).toBe('(cmd ["--doit"] "a" "b")\n');
    expect(dump('COPY --chown="a b" --chmod=\'7\'\'55\' x y')).toBe('(copy ["--chown=a b" "--chmod=755"] "x" "y")\n');
    expect(dump('COPY --foo=a\\ b x y')).toBe('(copy ["--foo=a b"] "x" "y")\n');
    expect(dump('COPY --doit=true -- foo /tmp/')).toBe('(copy ["--doit=true"] "foo" "/tmp/")\n');
    expect(dump('COPY -x foo /tmp/')).toBe('(copy "-x" "foo" "/tmp/")\n');
  });

  it('keeps non-ASCII flag values intact', () => {
    const { syntax } = parseSyntax('COPY --from=ü --chown=日本:グループ a b');
    expect(syntax.nodes[0].flags.map((flag) => [flag.name, flag.value])).toEqual([
      ['from', 'ü'],
      ['chown', '日本:グループ'],
    ]);
    expect(dumpSyntaxTree(syntax)).toBe('(copy ["--from=ü" "--chown=日本:グループ"] "a" "b")\n');
  });

  it('gives each flag its source range', () => {
    const { syntax } = parseSyntax('FROM a\nRUN --mount=type=cache,target=/c \\\n  --network=none echo');
    const [mount, network] = syntax.nodes[1].flags;
    expect(mount.range.start).toMatchObject({ line: 2, column: 5 });
    expect(mount.range.end).toMatchObject({ line: 2, column: 33 });
    expect(network.range.start).toMatchObject({ line: 3, column: 3 });
    expect(network.value).toBe('none');
  });
});

describe('errors', () => {
  it('reports every error of a file, in order, each with code and location', () => {
    const text = 'FROM a\nCMD ["a", 1]\nFOO\nRUN <<EOF\necho\n';
    const result = parse(text, { file: 'Dockerfile.bad' });
    expect(result.errors.map((error) => error.code)).toEqual(['JSON_ARRAY_NOT_STRINGS', 'UNKNOWN_INSTRUCTION', 'UNTERMINATED_HEREDOC']);
    for (const error of result.errors) {
      expect(error).toBeInstanceOf(ParseError);
      expect(error.message).toMatch(/^Dockerfile\.bad:\d+:\d+: .+/);
    }
  });

  it('parseOrThrow throws one DockerfileSyntaxError listing all errors', () => {
    expect(() => parseOrThrow('FOO\nBAR\n')).toThrow(DockerfileSyntaxError);
    try {
      parseOrThrow('FOO\nBAR\n');
    } catch (error) {
      expect((error as DockerfileSyntaxError).errors).toHaveLength(2);
      expect((error as DockerfileSyntaxError).message).toContain('and 1 more error');
    }
  });

  it('reports an empty file and a comments-only file', () => {
    for (const text of ['', '\n\n', '# only\n# comments\n']) {
      const { errors } = parseSyntax(text);
      expect(errors.map((error) => [error.code, error.detail])).toEqual([['DOCKERFILE_EMPTY', 'file with no instructions']]);
    }
  });

  it('rejects lines longer than 64 KiB as BuildKit does', () => {
    const { errors } = parseSyntax(`FROM a\nRUN ${'x'.repeat(70_000)}\n`);
    expect(errors.map((error) => [error.code, error.range?.start.line])).toEqual([['LINE_TOO_LONG', 2]]);
  });
});

describe('source ranges', () => {
  it('gives instructions, keywords and arguments exact ranges', () => {
    const text = 'FROM busybox\n\n  COPY   a.txt  /dst/\n';
    const { syntax } = parseSyntax(text);
    const copy = syntax.nodes[1];
    expect(copy.range.start).toEqual({ line: 3, column: 3, offset: 16 });
    expect(copy.range.end).toEqual({ line: 3, column: 22, offset: 35 });
    expect(JSON.parse(JSON.stringify(copy.range))).toEqual({ start: { line: 3, column: 3, offset: 16 }, end: { line: 3, column: 22, offset: 35 } });
    expect(copy.keywordRange.end).toEqual({ line: 3, column: 7, offset: 20 });
    expect(copy.args.map((arg) => [arg.value, text.slice(arg.range.start.offset, arg.range.end.offset)])).toEqual([
      ['a.txt', 'a.txt'],
      ['/dst/', '/dst/'],
    ]);
  });

  it('maps arguments that span continuation lines back to their lines', () => {
    const text = 'FROM a\nRUN echo \\\n  hello \\\n  world\n';
    const { syntax } = parseSyntax(text);
    const run = syntax.nodes[1];
    expect(run.args[0].value).toBe('echo   hello   world');
    expect(run.args[0].range.start).toMatchObject({ line: 2, column: 5 });
    expect(run.args[0].range.end).toMatchObject({ line: 4, column: 8 });
    expect([run.startLine, run.endLine]).toEqual([2, 4]);
  });

  it('locates JSON array elements', () => {
    const text = 'CMD [ "a\\"b" ,"c" ]';
    const { syntax } = parseSyntax(text);
    expect(syntax.nodes[0].args.map((arg) => text.slice(arg.range.start.offset, arg.range.end.offset))).toEqual(['"a\\"b"', '"c"']);
  });
});
