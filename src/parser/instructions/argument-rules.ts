import { ParseErrorCode } from '../errors.js';
import type { SyntaxArgument } from '../syntax-tree.js';
import { spanRange, type InstructionRequest } from './request.js';

/** BuildKit's argument-count errors, located at the extra arguments or, when some are missing, the instruction. */

export function requireAtLeastOne(request: InstructionRequest, instruction: string, args: readonly SyntaxArgument[]): boolean {
  if (args.length > 0) return true;
  request.problems.add(ParseErrorCode.MissingArguments, `${instruction} requires at least one argument`, request.node.range);
  return false;
}

export function requireExactlyOne(request: InstructionRequest, instruction: string, args: readonly SyntaxArgument[]): boolean {
  if (args.length === 1) return true;
  const message = `${instruction} requires exactly one argument`;
  if (args.length === 0) request.problems.add(ParseErrorCode.MissingArguments, message, request.node.range);
  else request.problems.add(ParseErrorCode.InvalidArguments, message, spanRange(args[1].range, args[args.length - 1].range));
  return false;
}

export function requireDestination(request: InstructionRequest, instruction: string, args: readonly SyntaxArgument[]): boolean {
  if (args.length >= 2) return true;
  request.problems.add(
    ParseErrorCode.MissingArguments,
    `${instruction} requires at least two arguments, but only one was provided. Destination could not be determined`,
    request.node.range,
  );
  return false;
}
