import { ParseErrorCode } from '../errors.js';
import { goQuote } from '../go-quote.js';
import { readCommandLine } from './command-line.js';
import { parseFlags, type FlagSpec } from './flags.js';
import type { Converter, InstructionRequest } from './request.js';
import { parseDevice } from './run-device.js';
import { parseMount } from './run-mount.js';
import type { Device, Located, Mount, NetworkMode, SecurityMode } from './types.js';

const runFlags: FlagSpec = {
  mount: 'strings',
  network: 'string',
  security: 'string',
  device: 'strings',
};

const networkModes: readonly NetworkMode[] = ['default', 'none', 'host'];
const securityModes: readonly SecurityMode[] = ['insecure', 'sandbox'];

function readMounts(request: InstructionRequest, values: readonly Located[]): Mount[] {
  const mounts: Mount[] = [];
  for (const value of values) {
    const result = parseMount(value.value, { range: value.range, file: request.problems.file });
    request.problems.errors.push(...result.errors);
    if (result.mount) mounts.push(result.mount);
  }
  return mounts;
}

function readDevices(request: InstructionRequest, values: readonly Located[]): Device[] {
  const devices: Device[] = [];
  for (const value of values) {
    const result = parseDevice(value.value, value.range);
    for (const problem of result.problems) request.problems.addFlag(ParseErrorCode.InvalidFlagValue, problem, value.range);
    if (result.device) devices.push(result.device);
  }
  return devices;
}

/** `--network` and `--security` are not expanded by BuildKit, so they are checked as written. */
function readChoice<T extends string>(
  request: InstructionRequest,
  flag: Located | undefined,
  choices: readonly T[],
  message: (value: string) => string,
): Located<T> | undefined {
  if (flag === undefined) return undefined;
  if ((choices as readonly string[]).includes(flag.value)) return { value: flag.value as T, range: flag.range };
  request.problems.addFlag(ParseErrorCode.InvalidFlagValue, message(flag.value), flag.range);
  return undefined;
}

/** RUN: the command (shell form with its heredocs, or exec form) and the --mount/--network/--security/--device flags. */
export const convertRun: Converter = (request) => {
  const flags = parseFlags(request, runFlags);
  return {
    kind: 'RUN',
    node: request.node,
    range: request.node.range,
    command: readCommandLine(request.node.json, request.args),
    heredocs: request.heredocs,
    mounts: readMounts(request, flags.strings('mount')),
    network: readChoice(request, flags.string('network'), networkModes, (value) => `invalid network mode ${goQuote(value)}`),
    security: readChoice(request, flags.string('security'), securityModes, (value) => `security ${goQuote(value)} is not valid`),
    devices: readDevices(request, flags.strings('device')),
  };
};
