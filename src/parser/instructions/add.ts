import { requireDestination } from './argument-rules.js';
import { parseFlags, type FlagSpec } from './flags.js';
import type { Converter } from './request.js';
import { readSourcesAndDestination } from './sources.js';

const addFlags: FlagSpec = {
  chown: 'string',
  chmod: 'string',
  link: 'bool',
  checksum: 'string',
  'keep-git-dir': 'bool',
  unpack: 'bool',
  exclude: 'strings',
};

/** ADD [flags] src... dest (paths, URLs, git repositories, JSON strings or heredocs). */
export const convertAdd: Converter = (request) => {
  const enough = requireDestination(request, 'ADD', request.args);
  const flags = parseFlags(request, addFlags);
  const files = enough ? readSourcesAndDestination(request, 'ADD') : undefined;
  if (files === undefined) return undefined;
  return {
    kind: 'ADD',
    node: request.node,
    range: request.node.range,
    ...files,
    chown: flags.string('chown'),
    chmod: flags.string('chmod'),
    link: flags.bool('link') ?? false,
    checksum: flags.string('checksum'),
    keepGitDir: flags.bool('keep-git-dir') ?? false,
    unpack: flags.bool('unpack'),
    exclude: flags.strings('exclude'),
  };
};
