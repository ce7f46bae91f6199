import { describe, expect, it } from 'vitest';
import { defaultShell, runCommand, type ImageConfig } from '../../../src/builder/config/index.js';
import { parse, type RunInstruction } from '../../../src/parser/index.js';
import { simulate } from '../plan/helpers.js';

function run(text: string, image: ImageConfig = { os: 'linux', config: {}, history: [] }) {
  const instruction = parse(`FROM alpine\n${text}`).instructions[1] as RunInstruction;
  return runCommand(image, instruction.command, instruction.heredocs);
}

describe('runCommand', () => {
  it('wraps the shell form in the stage shell and keeps the exec form', () => {
    expect(run('RUN echo $HOME')).toEqual({ args: ['/bin/sh', '-c', 'echo $HOME'], file: undefined });
    expect(run('RUN ["echo", "$HOME"]')).toEqual({ args: ['echo', '$HOME'], file: undefined });
    expect(run('RUN x', { config: { Shell: ['pwsh', '-c'] }, history: [] }).args).toEqual(['pwsh', '-c', 'x']);
  });

  it('runs the body of a lone heredoc, tabs stripped for <<-', () => {
    expect(run('RUN <<-EOF\n\techo a\n\techo b\nEOF\n').args).toEqual(['/bin/sh', '-c', 'echo a\necho b\n']);
  });

  it('runs a lone heredoc starting with #! as a file mounted at /dev/pipes/', () => {
    expect(run('RUN <<SCRIPT\n#!/usr/bin/env python3\nprint(1)\nSCRIPT\n')).toEqual({
      args: ['/bin/sh', '-c', '/dev/pipes/SCRIPT'],
      file: { directory: '/dev/pipes/', name: 'SCRIPT', content: '#!/usr/bin/env python3\nprint(1)\n', mode: 0o755 },
    });
    expect(run('RUN <<SCRIPT\n#!/bin/sh\nx\nSCRIPT\n', { os: 'windows', config: {}, history: [] }).file).toBeUndefined();
  });

  it('hands other heredocs to the shell, bodies appended to the command', () => {
    expect(run('RUN python3 <<A && cat <<-"B"\nprint(1)\nA\n\tx\n\tB\n').args).toEqual([
      '/bin/sh',
      '-c',
      'python3 <<A && cat <<-"B"\nprint(1)\nA\n\tx\nB',
    ]);
  });

  it('uses cmd /S /C on Windows', () => {
    expect(defaultShell('windows')).toEqual(['cmd', '/S', '/C']);
    expect(defaultShell('linux')).toEqual(['/bin/sh', '-c']);
  });

  it('is what applying RUN returns', () => {
    const { target } = simulate('FROM alpine\nSHELL ["/bin/ash", "-eo", "pipefail", "-c"]\nRUN a | b\n');
    expect(target.runs).toEqual([{ args: ['/bin/ash', '-eo', 'pipefail', '-c', 'a | b'], file: undefined }]);
  });
});
