import { parseArgs } from 'node:util';
import { dumpSyntaxTree, parse, type ParseResult } from '../parser/index.js';
import { readTextInput, UsageError, type CliIo } from './io.js';

export const parseUsage = `Usage: build-image parse [-f Dockerfile] [--format json|dump]

Parse a Dockerfile and print its syntax tree.
  -f, --file PATH     the Dockerfile (default ./Dockerfile; - reads standard input)
      --format FORMAT json (default): directives, syntax nodes, typed instructions and warnings
                      dump: BuildKit's AST dump format, one instruction per line
Exit code 1 with every error (file:line:column: message) on standard error when the file is not valid.`;

function jsonReport(result: ParseResult): unknown {
  return {
    file: result.file,
    escapeChar: result.syntax.escapeChar,
    directives: result.syntax.directives,
    nodes: result.syntax.nodes,
    instructions: result.instructions.map(({ node: _node, ...instruction }) => instruction),
    comments: result.syntax.comments,
    warnings: result.warnings,
  };
}

export async function parseCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      file: { type: 'string', short: 'f', default: 'Dockerfile' },
      format: { type: 'string', default: 'json' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout.write(`${parseUsage}\n`);
    return 0;
  }
  if (values.format !== 'json' && values.format !== 'dump') {
    throw new UsageError(`unknown --format ${values.format} (expected json or dump)`);
  }
  const file = values.file as string;
  const text = await readTextInput(file, io);
  const result = parse(text, { file: file === '-' ? 'Dockerfile' : file });
  if (result.errors.length > 0) {
    for (const error of result.errors) io.stderr.write(`${error.message}\n`);
    return 1;
  }
  io.stdout.write(values.format === 'dump' ? dumpSyntaxTree(result.syntax) : `${JSON.stringify(jsonReport(result), null, 2)}\n`);
  return 0;
}
