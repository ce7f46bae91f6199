import { readFileSync } from 'node:fs';
import { parseCommand, parseUsage } from './parse-command.js';
import { UsageError, type CliIo } from './io.js';

const usage = `Usage: build-image <command> [options]

Commands:
  parse [-f Dockerfile] [--format json|dump]   parse a Dockerfile and print its syntax tree
  build [options] [context]                     build an image (not yet available)

Options:
  -h, --help      show help
  -V, --version   print the version

${parseUsage}`;

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

/** Run the CLI with `argv` (without node and script) and return the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'parse':
        return await parseCommand(rest, io);
      case '-V':
      case '--version':
        io.stdout.write(`build-image ${version()}\n`);
        return 0;
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.stdout.write(`${usage}\n`);
        return command === undefined ? 2 : 0;
      default:
        io.stderr.write('build-image: building images is not yet available in this version; `build-image parse` is.\n');
        return 2;
    }
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      io.stderr.write(`build-image: ${error.message}\n`);
      return 2;
    }
    if (error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'EACCES' || error.code === 'EISDIR')) {
      io.stderr.write(`build-image: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
