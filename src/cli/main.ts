import { buildCommand, packageVersion } from './build-command.js';
import { buildUsage } from './build-options.js';
import { parseCommand, parseUsage } from './parse-command.js';
import { pruneCommand, pruneUsage } from './prune-command.js';
import { storeCommand, storeUsage } from './store-command.js';
import { UsageError, type CliIo } from './io.js';
import { runInUserNamespaceIfRootless } from './user-namespace.js';

const usage = `${buildUsage}

Commands:
  build [OPTIONS] [CONTEXT]   the build above; the word \`build\` may be left out
  parse                       parse a Dockerfile and print its syntax tree (see below)
  prune                       remove what no image or cache entry keeps from the content store (see below)
  store verify                check every blob of the content store against its digest (see below)

${parseUsage}

${pruneUsage}

${storeUsage}`;

/**
 * Commands that never touch the content store. The others (build, prune, store) run in a user namespace when
 * started without root: builds need it for RUN, and the store holds files owned by the namespace's ids.
 */
const STORELESS_COMMANDS = new Set(['parse', '-V', '--version', '-h', '--help', 'help']);

/** Run the CLI with `argv` (without node and script) and return the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== undefined && !STORELESS_COMMANDS.has(command)) {
    const code = await runInUserNamespaceIfRootless(argv, io);
    if (code !== undefined) return code;
  }
  try {
    switch (command) {
      case 'parse':
        return await parseCommand(rest, io);
      case 'prune':
        return await pruneCommand(rest, io);
      case 'store':
        return await storeCommand(rest, io);
      case 'build':
        return await buildCommand(rest, io);
      case '-V':
      case '--version':
        io.stdout.write(`build-image ${packageVersion()}\n`);
        return 0;
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.stdout.write(`${usage}\n`);
        return command === undefined ? 2 : 0;
      default:
        return await buildCommand(argv, io, { implicit: true });
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
