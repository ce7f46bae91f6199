import { requireDestination } from './argument-rules.js';
import { parseFlags, type FlagSpec } from './flags.js';
import type { Converter } from './request.js';
import { readSourcesAndDestination } from './sources.js';

const copyFlags: FlagSpec = {
  from: 'string',
  chown: 'string',
  chmod: 'string',
  link: 'bool',
  parents: 'bool',
  exclude: 'strings',
};

/** COPY [flags] src... dest (paths, JSON strings or heredocs). */
export const convertCopy: Converter = (request) => {
  const enough = requireDestination(request, 'COPY', request.args);
  const flags = parseFlags(request, copyFlags);
  const files = enough ? readSourcesAndDestination(request, 'COPY') : undefined;
  if (files === undefined) return undefined;
  return {
    kind: 'COPY',
    node: request.node,
    range: request.node.range,
    ...files,
    from: flags.string('from'),
    chown: flags.string('chown'),
    chmod: flags.string('chmod'),
    link: flags.bool('link') ?? false,
    parents: flags.bool('parents') ?? false,
    exclude: flags.strings('exclude'),
  };
};
