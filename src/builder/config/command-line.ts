import { expandWords, heredocContent, type CommandLine, type Heredoc } from '../../parser/index.js';
import type { ImageConfig } from './types.js';

/** The shell of shell-form commands when SHELL was never used. */
export function defaultShell(os: string | undefined): string[] {
  return os === 'windows' ? ['cmd', '/S', '/C'] : ['/bin/sh', '-c'];
}

/** BuildKit's `withShell`: the stage's SHELL (or the default) followed by the command text. */
export function withShell(image: ImageConfig, text: string): string[] {
  const shell = image.config.Shell !== undefined && image.config.Shell.length > 0 ? image.config.Shell : defaultShell(image.os);
  return [...shell, text];
}

/** CMD / ENTRYPOINT / RUN argv: exec form as is, shell form wrapped in the shell. */
export function commandArgs(image: ImageConfig, command: CommandLine): string[] {
  return command.form === 'exec' ? [...command.args] : withShell(image, command.text);
}

/** A file RUN mounts to run a heredoc that starts with `#!`. */
export interface RunInlineFile {
  /** Where the file is mounted (read-only): `/dev/pipes/`. */
  directory: string;
  name: string;
  content: string;
  /** 0755. */
  mode: number;
}

export interface RunCommand {
  /** The argv to execute. */
  args: string[];
  /** Set when the command is a single `#!` heredoc, which BuildKit runs as a file mounted at `/dev/pipes/`. */
  file: RunInlineFile | undefined;
}

/** BuildKit's heredoc word check: the whole command is one `[n]<<[-]NAME`. */
export function isSingleHeredoc(text: string): boolean {
  const match = /^(\d*)<<(-?)([^<]*)$/.exec(text);
  if (match === null || match[3] === '') return false;
  try {
    return expandWords(match[3], {}, { escapeToken: '\\', skipUnsetEnv: true }).length === 1;
  } catch {
    return false;
  }
}

/**
 * What RUN executes, as BuildKit's `dispatchRun` builds it: a command that is exactly one heredoc runs its body
 * (through a file when the body starts with `#!`, except on Windows); other heredocs are appended to the command
 * text for the shell to read; shell form is then wrapped in the stage's shell.
 */
export function runCommand(image: ImageConfig, command: CommandLine, heredocs: readonly Heredoc[]): RunCommand {
  if (command.form === 'exec' || heredocs.length === 0) return { args: commandArgs(image, command), file: undefined };
  if (isSingleHeredoc(command.text)) {
    const [first] = heredocs;
    const data = heredocContent(first);
    if (image.os !== 'windows' && data.startsWith('#!')) {
      const directory = '/dev/pipes/';
      return { args: withShell(image, `${directory}${first.name}`), file: { directory, name: first.name, content: data, mode: 0o755 } };
    }
    return { args: withShell(image, data), file: undefined };
  }
  let text = command.text;
  for (const heredoc of heredocs) text += `\n${heredoc.content}${heredoc.name}`;
  return { args: withShell(image, text), file: undefined };
}
