import { createRequire } from 'node:module';
import path from 'node:path';
import type * as ChevrotainApi from 'chevrotain';

/**
 * chevrotain, from the single-file build its package ships (lib/chevrotain.mjs): the package's own entry point
 * loads lodash-es one function per file, some 700 modules, which cost every CLI run about half a second. Same
 * version, same API; the package does not export the file, so it is found next to the entry point.
 *
 * Loaded on the first parse, not when the parser's modules are imported: a rebuild whose parse is remembered
 * (parse-memo.ts) never loads it, which saves compiling 350 KB and building the grammar. require() of an ES module
 * is synchronous on the Node versions this package supports (20.19 and later), so parse() stays synchronous.
 */
let loaded: typeof ChevrotainApi | undefined;

export function chevrotain(): typeof ChevrotainApi {
  if (loaded === undefined) {
    const require = createRequire(import.meta.url);
    const entryPoint = require.resolve('chevrotain');
    loaded = require(path.join(path.dirname(entryPoint), '..', 'chevrotain.mjs')) as typeof ChevrotainApi;
  }
  return loaded;
}
