import { describe, expect, it } from 'vitest';
import { ParseError, ParseErrorCode } from '../../../src/parser/errors.js';
import { toInstruction, type InstructionKind } from '../../../src/parser/instructions/index.js';
import { context, syntaxNode, type NodeSpec } from './helpers.js';

describe('toInstruction', () => {
  it('reports an unknown keyword at the keyword, as written', () => {
    const node = syntaxNode({ keyword: 'XYZZYQ', args: [''] });
    const { instruction, errors } = toInstruction(node, context);
    expect(instruction).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ParseError);
    expect(errors[0].code).toBe(ParseErrorCode.UnknownInstruction);
    expect(errors[0].detail).toBe('unknown instruction: XYZZYQ');
    expect(errors[0].range).toEqual(node.keywordRange);
    expect(toInstruction(syntaxNode({ keyword: 'xyzzyq', args: [''] }), context).errors[0].detail).toBe('unknown instruction: xyzzyq');
    expect(toInstruction(syntaxNode({ keyword: 'foo', args: [''] }), context).errors[0].detail).toBe(
      'unknown instruction: foo (did you mean from?)',
    );
  });

  it('suggests the closest instruction in the case written', () => {
    expect(toInstruction(syntaxNode({ keyword: 'COPPY', args: [''] }), context).errors[0].detail).toBe(
      'unknown instruction: COPPY (did you mean COPY?)',
    );
    expect(toInstruction(syntaxNode({ keyword: 'workdri', args: [''] }), context).errors[0].detail).toBe(
      'unknown instruction: workdri (did you mean workdir?)',
    );
  });

  it('matches keywords in any case', () => {
    expect(toInstruction(syntaxNode({ keyword: 'wOrKdIr', args: ['/x'] }), context).instruction?.kind).toBe('WORKDIR');
  });

  it('attributes errors to the given file, or none', () => {
    const node = syntaxNode({ keyword: 'USER' });
    expect(toInstruction(node, { file: 'build/Dockerfile.prod', escapeChar: '`' }).errors[0].message).toBe(
      'build/Dockerfile.prod:1:1: USER requires exactly one argument',
    );
    expect(toInstruction(node, { escapeChar: '\\' }).errors[0].file).toBeUndefined();
  });

  it('never throws, even on a malformed node', () => {
    const node = syntaxNode({ keyword: 'COPY', args: ['a', 'b'] });
    const broken = { ...node, args: undefined } as unknown as typeof node;
    const { instruction, errors } = toInstruction(broken, context);
    expect(instruction).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ParseError);
    expect(errors[0].code).toBe(ParseErrorCode.Syntax);
  });

  it('converts one of each instruction', () => {
    const specs: Array<[InstructionKind, NodeSpec]> = [
      ['FROM', { keyword: 'FROM', args: ['scratch'] }],
      ['RUN', { keyword: 'RUN', args: ['true'] }],
      ['CMD', { keyword: 'CMD', args: ['sh'], json: true }],
      ['LABEL', { keyword: 'LABEL', pairs: [['a', 'b']] }],
      ['MAINTAINER', { keyword: 'MAINTAINER', args: ['me'] }],
      ['EXPOSE', { keyword: 'EXPOSE', args: ['80'] }],
      ['ENV', { keyword: 'ENV', pairs: [['A', '1']] }],
      ['ADD', { keyword: 'ADD', args: ['a', 'b'] }],
      ['COPY', { keyword: 'COPY', args: ['a', 'b'] }],
      ['ENTRYPOINT', { keyword: 'ENTRYPOINT', args: ['app'], json: true }],
      ['VOLUME', { keyword: 'VOLUME', args: ['/v'] }],
      ['USER', { keyword: 'USER', args: ['app'] }],
      ['WORKDIR', { keyword: 'WORKDIR', args: ['/w'] }],
      ['ARG', { keyword: 'ARG', args: ['A'] }],
      ['ONBUILD', { keyword: 'ONBUILD', child: { keyword: 'RUN', args: ['x'] } }],
      ['STOPSIGNAL', { keyword: 'STOPSIGNAL', args: ['SIGTERM'] }],
      ['HEALTHCHECK', { keyword: 'HEALTHCHECK', args: ['NONE'] }],
      ['SHELL', { keyword: 'SHELL', args: ['sh', '-c'], json: true }],
    ];
    for (const [kind, spec] of specs) {
      const node = syntaxNode(spec);
      const { instruction, errors } = toInstruction(node, context);
      expect(errors).toEqual([]);
      expect(instruction?.kind).toBe(kind);
      expect(instruction?.node).toBe(node);
      expect(instruction?.range).toEqual(node.range);
    }
  });
});
