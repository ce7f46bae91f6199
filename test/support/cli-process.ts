import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { repoRoot } from './shared-data.js';

/** The CLI as npm installs it: `bin/build-image.js`, which loads dist/cli/bundle.mjs. */
export const cliPath = path.join(repoRoot, 'bin/build-image.js');

/** Whether dist/ holds the bundle bin/build-image.js loads (`npm run build`; `npm test` builds it first). */
export const distBuilt = existsSync(path.join(repoRoot, 'dist/cli/bundle.mjs'));

/** Whether dist/ is built; when not, warns loudly that `suite` is skipped (with CI=true, throws instead). */
export function distAvailable(suite: string): boolean {
  if (distBuilt) return true;
  const message = `SKIPPED ${suite}: dist/ is not built (run \`npm run build\`, or \`npm test\`, which builds it first)`;
  if (process.env.CI === 'true') throw new Error(`${message} (required when CI=true)`);
  console.warn(`\n*** ${message} ***\n`);
  return false;
}

export interface CliProcessOptions {
  cwd?: string;
  /** The whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** The script node runs (default: bin/build-image.js). */
  entry?: string;
  /** A command that runs `node ENTRY ARGS` for us, as `setpriv --reuid=... --`. */
  wrapper?: readonly string[];
}

export interface CliProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `node bin/build-image.js ARGS` as a child process, its stdout and stderr piped. */
export function spawnCli(args: readonly string[], options: CliProcessOptions = {}): ChildProcessByStdio<null, Readable, Readable> {
  const [command, ...rest] = [...(options.wrapper ?? []), process.execPath, options.entry ?? cliPath, ...args];
  return spawn(command, rest, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `node bin/build-image.js ARGS` to its exit: the exit code and everything it wrote. */
export function runCliProcess(args: readonly string[], options: CliProcessOptions = {}): Promise<CliProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
