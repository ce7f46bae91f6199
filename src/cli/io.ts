import { readFile } from 'node:fs/promises';

/** Where a command writes; the library never prints by itself, so the CLI passes these in. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin?: NodeJS.ReadableStream;
}

/** A user mistake on the command line: printed as `build-image: message`, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'USAGE';
}

export async function readTextInput(file: string, io: CliIo): Promise<string> {
  if (file !== '-') return readFile(file, 'utf8');
  const stdin = io.stdin ?? process.stdin;
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
