import { describe, expect, it } from 'vitest';
import { redactUrlCredentials } from '../../src/builder/config/index.js';
import { stepDisplayName } from '../../src/builder/step-name.js';
import { plan } from './plan/helpers.js';

const names = (text: string): string[] => plan(text).stages.flatMap((stage) => stage.steps.map(stepDisplayName));

describe('stepDisplayName', () => {
  it('joins continuation lines as written', () => {
    expect(names('FROM scratch\nCOPY a \\\n  b /\n')).toEqual(['COPY a b /']);
  });

  it('summarises a RUN that is one heredoc as BuildKit does, and leaves other heredocs alone', () => {
    expect(names('FROM scratch\nRUN <<EOF\napt-get update\napt-get install x\nEOF\nRUN <<EOF\n  one line  \nEOF\nRUN cat <<EOF > /x\nbody\nEOF\n')).toEqual([
      'RUN <<EOF (apt-get update...)',
      'RUN <<EOF (one line)',
      'RUN cat <<EOF > /x',
    ]);
  });

  it('never shows the credentials of a URL', () => {
    expect(names('FROM scratch\nADD https://user:secret@example.com/a.tgz /a\n')).toEqual(['ADD https://example.com/a.tgz /a']);
    expect(redactUrlCredentials('x http://u:p@h/p and ftp://t@h2/q')).toBe('x http://h/p and ftp://h2/q');
  });
});
