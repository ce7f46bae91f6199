// Bundles the compiled CLI (dist/cli/index.js and everything it imports) into dist/cli/bundle.mjs, which
// bin/build-image.js loads: resolving, reading and compiling some 280 modules one by one cost each CLI run about
// 150 ms, a third of a no-op rebuild. With code splitting, what the source loads with import() (the builder; within
// it RUN execution, writing and unpacking layers, ADD's archives and downloads) goes into chunks of its own,
// dist/cli/bundle-*.mjs, read and compiled on first use only: a fully cached rebuild loads none of them. esbuild
// splits by file, so a module that is also reachable through a static import (a folder's index.ts re-exports all of
// the folder) stays in a chunk loaded up front. The library (dist/index.js) stays unbundled.
//
// The parser's memo of earlier parses (src/parser/parse-memo.ts) is keyed by the parser's code; the bundle carries the
// digest of the compiled parser it holds (dist/parser), so that a run does not hash its own files to find it.
//
// The chunks sit beside bundle.mjs and dist/cli/main.js, so that every path the code computes from import.meta.url
// (package.json, bin/, node_modules) is the same whichever file it ends up in.
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const outdir = 'dist/cli';
const chunkPrefix = 'bundle-';

/** sha256 of the compiled parser: every .js file under dist/parser, by relative path. */
async function parserDigest(root = 'dist/parser') {
  const hash = createHash('sha256');
  const files = (await readdir(root, { recursive: true })).filter((name) => name.endsWith('.js')).sort();
  for (const name of files) hash.update(`${name}\0`).update(await readFile(path.join(root, name))).update('\0');
  return hash.digest('hex');
}

const result = await build({
  entryPoints: { bundle: 'dist/cli/index.js' },
  outdir,
  outExtension: { '.js': '.mjs' },
  chunkNames: `${chunkPrefix}[name]-[hash]`,
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Dependencies (tar-stream) are imported from node_modules, as by the library: bundled into a chunk of its own, a
  // CommonJS package would offer import() only a default export.
  packages: 'external',
  define: { BUILD_IMAGE_PARSER_DIGEST: JSON.stringify(await parserDigest()) },
  metafile: true,
  logLevel: 'warning',
});

// Chunk names carry a content hash: remove those of earlier bundles, which nothing imports any more.
const written = new Set(Object.keys(result.metafile.outputs).map((file) => path.basename(file)));
for (const name of await readdir(outdir)) {
  if (name.startsWith(chunkPrefix) && name.endsWith('.mjs') && !written.has(name)) await rm(path.join(outdir, name), { force: true });
}
