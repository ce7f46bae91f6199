import { describe, expect, it } from 'vitest';
import { dumpSyntaxTree, heredocContent, parse, parseSyntax, type Heredoc } from '../../src/parser/index.js';

function heredocs(text: string): Array<Pick<Heredoc, 'name' | 'expand' | 'chomp' | 'fileDescriptor' | 'content'>> {
  const result = parseSyntax(text);
  expect(result.errors).toEqual([]);
  const node = result.syntax.nodes.find((candidate) => candidate.heredocs.length > 0 || candidate.child?.heredocs.length);
  const list = node ? (node.heredocs.length > 0 ? node.heredocs : (node.child?.heredocs ?? [])) : [];
  return list.map(({ name, expand, chomp, fileDescriptor, content }) => ({ name, expand, chomp, fileDescriptor, content }));
}

describe('heredocs', () => {
  it('reads a RUN heredoc body and does not parse it as instructions', () => {
    const text = 'FROM a\nRUN <<EOF\necho hi\nFROM not-an-instruction\nEOF\nRUN after\n';
    expect(dumpSyntaxTree(parseSyntax(text).syntax)).toBe('(from "a")\n(run "<<EOF")\n(run "after")\n');
    expect(heredocs(text)).toEqual([{ name: 'EOF', expand: true, chomp: false, fileDescriptor: undefined, content: 'echo hi\nFROM not-an-instruction\n' }]);
  });

  it('reads several heredocs of one line in order', () => {
    const text = 'COPY <<A <<B /dest/\nfirst\nA\nsecond\nB\n';
    expect(heredocs(text).map((doc) => [doc.name, doc.content])).toEqual([
      ['A', 'first\n'],
      ['B', 'second\n'],
    ]);
  });

  it('strips leading tabs with <<- for the terminator and in heredocContent', () => {
    const text = 'RUN <<-EOT bash\n\techo a\n\t\techo b\n\tEOT\n';
    const result = parseSyntax(text);
    const doc = result.syntax.nodes[0].heredocs[0];
    expect(doc.chomp).toBe(true);
    expect(doc.content).toBe('\techo a\n\t\techo b\n');
    expect(heredocContent(doc)).toBe('echo a\necho b\n');
  });

  it('turns expansion off when any part of the name is quoted', () => {
    expect(heredocs("RUN <<'EOF'\n$X\nEOF\n")[0]).toMatchObject({ name: 'EOF', expand: false });
    expect(heredocs('RUN <<"EOF"\n$X\nEOF\n')[0]).toMatchObject({ name: 'EOF', expand: false });
    expect(heredocs("RUN <<eo'f'\n$X\neof\n")[0]).toMatchObject({ name: 'eof', expand: false });
    expect(heredocs("RUN <<eo\\'f\n$X\neo'f\n")[0]).toMatchObject({ name: "eo'f", expand: true });
  });

  it('reads file-descriptor prefixes', () => {
    expect(heredocs('RUN cat 3<<EOF\nx\nEOF\n')[0]).toMatchObject({ name: 'EOF', fileDescriptor: 3 });
  });

  it('keeps CRLF in bodies and matches the terminator without it', () => {
    expect(heredocs('RUN <<EOF\r\nline\r\nEOF\r\n')[0].content).toBe('line\r\n');
  });

  it('works under ONBUILD and with RUN flags', () => {
    expect(heredocs('ONBUILD RUN <<EOF\nx\nEOF\n')[0]).toMatchObject({ name: 'EOF', content: 'x\n' });
    const text = 'RUN --mount=type=cache,target=/c <<EOF sh\nx\nEOF\n';
    expect(dumpSyntaxTree(parseSyntax(text).syntax)).toBe('(run ["--mount=type=cache,target=/c"] "<<EOF sh")\n');
    expect(heredocs(text)).toHaveLength(1);
  });

  it('is not a heredoc in JSON form, for other instructions, or when quoted whole', () => {
    expect(dumpSyntaxTree(parseSyntax('RUN ["<<EOF"]\nEOF\n').syntax)).toBe('(run "<<EOF")\n(eof "")\n');
    expect(dumpSyntaxTree(parseSyntax('USER <<X\nX\n').syntax)).toBe('(user "<<X")\n(x "")\n');
    expect(dumpSyntaxTree(parseSyntax('RUN echo "<<EOF"\nRUN x\n').syntax)).toBe('(run "echo \\"<<EOF\\"")\n(run "x")\n');
  });

  it('reports an unterminated heredoc at its opening line and goes on', () => {
    const result = parse('FROM a\nRUN <<EOF\necho\n', { file: 'Dockerfile' });
    expect(result.errors.map((error) => [error.code, error.range?.start.line, error.range?.start.column])).toEqual([
      ['UNTERMINATED_HEREDOC', 2, 5],
    ]);
  });

  it('extends the instruction range over the body and terminator', () => {
    const { syntax } = parseSyntax('RUN <<EOF\na\nEOF\nRUN b\n');
    expect([syntax.nodes[0].startLine, syntax.nodes[0].endLine]).toEqual([1, 3]);
    expect(syntax.nodes[0].heredocs[0].bodyRange.start.line).toBe(2);
    expect(syntax.nodes[1].startLine).toBe(4);
  });
});
