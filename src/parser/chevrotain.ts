import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as ChevrotainApi from 'chevrotain';

/**
 * chevrotain, from the single-file build its package ships (lib/chevrotain.mjs): the package's own entry point
 * loads lodash-es one function per file, some 700 modules, which cost every CLI run about half a second. Same
 * version, same API; the package does not export the file, so it is found next to the entry point.
 */
const entryPoint = createRequire(import.meta.url).resolve('chevrotain');
export const chevrotain = (await import(pathToFileURL(path.join(path.dirname(entryPoint), '..', 'chevrotain.mjs')).href)) as typeof ChevrotainApi;
