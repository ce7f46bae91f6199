import { requireExactlyOne } from './argument-rules.js';
import { noFlags, parseFlags } from './flags.js';
import type { Converter, InstructionRequest } from './request.js';
import type { Located } from './types.js';

/** The one argument of MAINTAINER, USER, WORKDIR or STOPSIGNAL (the rest of the line, as written). */
function readSingle(request: InstructionRequest, instruction: string, checkFlags: boolean): Located | undefined {
  if (checkFlags) parseFlags(request, noFlags);
  if (!requireExactlyOne(request, instruction, request.args)) return undefined;
  const [arg] = request.args;
  return { value: arg.value, range: arg.range };
}

export const convertMaintainer: Converter = (request) => {
  const maintainer = readSingle(request, 'MAINTAINER', true);
  return maintainer && { kind: 'MAINTAINER', node: request.node, range: request.node.range, maintainer };
};

export const convertUser: Converter = (request) => {
  const user = readSingle(request, 'USER', true);
  return user && { kind: 'USER', node: request.node, range: request.node.range, user };
};

export const convertWorkdir: Converter = (request) => {
  const path = readSingle(request, 'WORKDIR', true);
  return path && { kind: 'WORKDIR', node: request.node, range: request.node.range, path };
};

/** STOPSIGNAL: like BuildKit, its flags are not read at all. */
export const convertStopsignal: Converter = (request) => {
  const signal = readSingle(request, 'STOPSIGNAL', false);
  return signal && { kind: 'STOPSIGNAL', node: request.node, range: request.node.range, signal };
};
