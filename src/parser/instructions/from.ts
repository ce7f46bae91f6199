import { ParseErrorCode } from '../errors.js';
import { parseFlags } from './flags.js';
import { goQuote } from '../go-quote.js';
import { spanRange, type Converter } from './request.js';
import type { Located } from './types.js';

/** BuildKit's stage-name rule, applied to the lower-cased name. */
const validStageName = /^[a-z][a-z0-9\-_.]*$/;

/** FROM [--platform=...] image [AS name]. */
export const convertFrom: Converter = (request) => {
  const { node, args } = request;
  const flags = parseFlags(request, { platform: 'string' });

  let stageName: Located | undefined;
  if (args.length === 3 && args[1].value.toLowerCase() === 'as') {
    const name = args[2].value.toLowerCase();
    if (validStageName.test(name)) {
      stageName = { value: name, range: args[2].range };
    } else {
      request.problems.add(
        ParseErrorCode.InvalidArguments,
        `invalid name for build stage: ${goQuote(args[2].value)}, name can't start with a number or contain symbols`,
        args[2].range,
      );
    }
  } else if (args.length !== 1) {
    const message = 'FROM requires either one or three arguments';
    if (args.length === 0) request.problems.add(ParseErrorCode.MissingArguments, message, node.range);
    else request.problems.add(ParseErrorCode.InvalidArguments, message, spanRange(args[0].range, args[args.length - 1].range));
    return undefined;
  }

  return {
    kind: 'FROM',
    node,
    range: node.range,
    image: { value: args[0].value, range: args[0].range },
    stageName,
    platform: flags.string('platform'),
  };
};
