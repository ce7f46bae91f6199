import { describe, expect, it } from 'vitest';
import { ParseErrorCode } from '../../../src/parser/errors.js';
import { toInstruction } from '../../../src/parser/instructions/index.js';
import { context, fail, ok, summary, syntaxNode } from './helpers.js';

describe('ONBUILD', () => {
  it('converts the trigger into a typed instruction', () => {
    const onbuild = ok('ONBUILD', { keyword: 'ONBUILD', child: { keyword: 'RUN', args: ['make install'] } });
    expect(onbuild.trigger).toMatchObject({ kind: 'RUN', command: { form: 'shell', text: 'make install' } });
    expect(onbuild.expression).toBe('RUN make install');
  });

  it('keeps the trigger flags and checks them', () => {
    const onbuild = ok('ONBUILD', { keyword: 'onbuild', child: { keyword: 'COPY', flags: ['--from=build'], args: ['a', 'b'] } });
    expect(onbuild.trigger.kind === 'COPY' && onbuild.trigger.from?.value).toBe('build');
    expect(onbuild.expression).toBe('COPY --from=build a b');

    const node = syntaxNode({ keyword: 'ONBUILD', child: { keyword: 'COPY', flags: ['--frm=build'], args: ['a', 'b'] } });
    const { errors } = toInstruction(node, context);
    expect(summary(errors)).toEqual([[ParseErrorCode.UnknownFlag, 'unknown flag: --frm (did you mean from?)']]);
    expect(errors[0].range).toEqual(node.child?.flags[0].range);
  });

  it('refuses ONBUILD ONBUILD, FROM and MAINTAINER triggers at the trigger keyword', () => {
    const node = syntaxNode({ keyword: 'ONBUILD', child: { keyword: 'ONBUILD', child: { keyword: 'RUN', args: ['touch foobar'] } } });
    const { errors } = toInstruction(node, context);
    expect(summary(errors)).toEqual([[ParseErrorCode.InvalidArguments, 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed']]);
    expect(errors[0].range).toEqual(node.child?.keywordRange);
    expect(summary(fail({ keyword: 'ONBUILD', child: { keyword: 'from', args: ['scratch'] } }))).toEqual([
      [ParseErrorCode.InvalidArguments, "FROM isn't allowed as an ONBUILD trigger"],
    ]);
    expect(summary(fail({ keyword: 'ONBUILD', child: { keyword: 'MAINTAINER', args: ['docker.io'] } }))).toEqual([
      [ParseErrorCode.InvalidArguments, "MAINTAINER isn't allowed as an ONBUILD trigger"],
    ]);
  });

  it('reports trigger problems', () => {
    expect(summary(fail({ keyword: 'ONBUILD', child: { keyword: 'COPY', args: ['a'] } }))).toEqual([
      [ParseErrorCode.MissingArguments, 'COPY requires at least two arguments, but only one was provided. Destination could not be determined'],
    ]);
    const node = syntaxNode({ keyword: 'ONBUILD', child: { keyword: 'RUNN', args: [''] } });
    const { errors } = toInstruction(node, context);
    expect(summary(errors)).toEqual([[ParseErrorCode.UnknownInstruction, 'unknown instruction: RUNN (did you mean RUN?)']]);
    expect(errors[0].range).toEqual(node.child?.keywordRange);
  });

  it('needs a trigger', () => {
    expect(summary(fail({ keyword: 'ONBUILD' }))).toEqual([[ParseErrorCode.MissingArguments, 'ONBUILD requires at least one argument']]);
  });

  it('gives the trigger its heredocs, wherever the syntax layer put them', () => {
    for (const heredocsOnParent of [false, true]) {
      const onbuild = ok('ONBUILD', {
        keyword: 'ONBUILD',
        child: { keyword: 'COPY', args: ['<<EOF', '/conf'], heredocs: [{ name: 'EOF', content: 'a=1\n' }] },
        heredocsOnParent,
      });
      expect(onbuild.trigger.kind === 'COPY' && onbuild.trigger.heredocSources.map((source) => source.content)).toEqual(['a=1\n']);
      expect(onbuild.expression).toBe('COPY <<EOF /conf\na=1\nEOF');
    }
    const run = ok('ONBUILD', {
      keyword: 'ONBUILD',
      child: { keyword: 'RUN', args: ['<<EOF'], heredocs: [{ name: 'EOF', content: 'echo hi\n' }] },
      heredocsOnParent: true,
    });
    expect(run.trigger.kind === 'RUN' && run.trigger.heredocs.map((heredoc) => heredoc.content)).toEqual(['echo hi\n']);
  });
});
