import os from 'node:os';
import { readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import type { BuildOptions, BuildResult, OutputSpec } from '../builder/types.js';
import { buildUsage, parseBuildArgs } from './build-options.js';
import { readTextInput, UsageError, type CliIo } from './io.js';
import { createProgressRenderer, outputKind, outputPlace, type Clock } from './progress/index.js';

/** The builder's entry point, `build()` of src/builder. */
export type BuildFunction = (options: BuildOptions) => Promise<BuildResult>;

/** What the build command takes from its surroundings; tests replace them. */
export interface BuildCommandDeps {
  /** The builder (default: `build` of src/builder, loaded when a build starts). */
  build?: BuildFunction;
  /** The environment (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The home directory, for ~/.docker/config.json (default os.homedir()). */
  homeDir?: string;
  /**
   * Calls `interrupt` on Ctrl-C and returns a function that stops listening (default: SIGINT; a second Ctrl-C
   * ends the process at once).
   */
  onInterrupt?: (interrupt: () => void) => () => void;
  /** Time and timers of the tty progress view. */
  clock?: Clock;
  /** argv had no `build` word (`build-image [options] context`), so an unknown first word may be a mistyped command. */
  implicit?: boolean;
}

/** build-image's version, from package.json. */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

/**
 * `build-image [build] [options] [context]`: builds with progress on standard error and prints the digest and the
 * outputs on standard output (only the digest with -q). Exit codes: 0 built, 1 the build failed, 2 a usage error
 * (thrown as UsageError for main to print), 130 interrupted.
 */
export async function buildCommand(argv: string[], io: CliIo, deps: BuildCommandDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const invocation = parseBuildArgs(argv, { env, stderrIsTTY: (io.stderr as { isTTY?: boolean }).isTTY === true, homeDir: deps.homeDir ?? os.homedir() });
  if (invocation.kind === 'help') {
    io.stdout.write(`${buildUsage}\n`);
    return 0;
  }
  if (invocation.kind === 'version') {
    io.stdout.write(`build-image ${packageVersion()}\n`);
    return 0;
  }
  const { options, settings } = invocation;
  const fail = (message: string): number => {
    io.stderr.write(`build-image: ERROR: ${message}\n`);
    return 1;
  };

  const contextProblem = await checkContext(options.context);
  if (contextProblem === 'missing' && deps.implicit && argv[0] === options.context) {
    throw new UsageError(`"${options.context}" is neither a command nor a context directory (commands: build, parse; see build-image --help)`);
  }
  if (contextProblem === 'missing') return fail(`unable to prepare context: path "${options.context}" not found`);
  if (contextProblem !== undefined) return fail(`unable to prepare context: ${contextProblem}`);
  if (settings.defaultOutput) {
    const outputProblem = await checkDefaultOutput(options.outputs![0]);
    if (outputProblem !== undefined) return fail(outputProblem);
  }
  if (settings.dockerfileFromStdin) options.dockerfileText = await readTextInput('-', io);

  let build: BuildFunction;
  try {
    build = deps.build ?? (await loadBuilder());
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }

  const renderer = createProgressRenderer(settings.progress, io.stderr, { clock: deps.clock, color: !env.NO_COLOR });
  const controller = new AbortController();
  const stopListening = (deps.onInterrupt ?? onSigint)(() => controller.abort());
  let result: BuildResult;
  try {
    result = await build({ ...options, onProgress: (event) => renderer.event(event), signal: controller.signal });
  } catch (error) {
    const canceled = controller.signal.aborted;
    renderer.end({ canceled });
    if (canceled) {
      io.stderr.write('build-image: ERROR: build canceled\n');
      return 130;
    }
    io.stderr.write(formatBuildError(error));
    return 1;
  } finally {
    stopListening();
  }
  renderer.end();

  if (settings.quiet) {
    io.stdout.write(`${result.digest}\n`);
    return 0;
  }
  let report = `digest: ${result.digest}\n`;
  for (const output of result.outputs) report += `${describeWritten(output)}\n`;
  io.stdout.write(report);
  return 0;
}

/** `wrote OCI archive to image.tar`, `copied the image's files to dir`. */
export function describeWritten(output: OutputSpec): string {
  if (output.type === 'registry') return `pushed ${outputPlace(output)}`;
  return output.type === 'local' ? `copied the image's files to ${output.dest}` : `wrote ${outputKind(output)} to ${output.dest}`;
}

/**
 * `build-image: ERROR: message` (the builder's messages start with `file:line:column:`), the errors it gathers
 * (a Dockerfile's syntax errors) one a line, and its `hint` when the message does not already end with it.
 */
export function formatBuildError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  let text = `build-image: ERROR: ${message}\n`;
  if (error !== null && typeof error === 'object') {
    const { errors, hint } = error as { errors?: unknown; hint?: unknown };
    if (Array.isArray(errors)) {
      for (const inner of errors) {
        const innerMessage = inner instanceof Error ? inner.message : String(inner);
        if (!message.includes(innerMessage)) text += `  ${innerMessage}\n`;
      }
    }
    if (typeof hint === 'string' && hint !== '' && !message.includes(hint)) text += `hint: ${hint}\n`;
  }
  return text;
}

async function checkContext(context: string): Promise<'missing' | string | undefined> {
  try {
    const info = await stat(context);
    return info.isDirectory() ? undefined : `context must be a directory: ${context}`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * The default output is a directory named after the tag, which may well be a directory of the project (`-t app` in
 * a repository with `app/`): refuse to write into one that holds anything but an OCI layout.
 */
async function checkDefaultOutput(output: OutputSpec): Promise<string | undefined> {
  if (output.type === 'registry') return undefined;
  const advice = 'choose where the image goes with --output (e.g. -o type=oci,dest=DIR,tar=false)';
  let entries: string[];
  try {
    entries = await readdir(output.dest);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') return `the default output ${output.dest} exists and is not a directory; ${advice}`;
    throw error;
  }
  if (entries.length === 0 || entries.includes('oci-layout')) return undefined;
  return `the default output ./${output.dest} exists and is not an OCI image layout; ${advice}`;
}

/** The builder, loaded when a build runs (parse, prune and --help do without it). */
async function loadBuilder(): Promise<BuildFunction> {
  const { build } = await import('../builder/index.js');
  return build;
}

function onSigint(interrupt: () => void): () => void {
  let interrupted = false;
  const listener = (): void => {
    if (!interrupted) {
      interrupted = true;
      interrupt();
      return;
    }
    // A second Ctrl-C: stop waiting for the build to wind down.
    process.removeListener('SIGINT', listener);
    process.kill(process.pid, 'SIGINT');
  };
  process.on('SIGINT', listener);
  return () => process.removeListener('SIGINT', listener);
}
