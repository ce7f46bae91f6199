// Bundles the compiled CLI (dist/cli/index.js and everything it imports) into one file, dist/cli/bundle.mjs, which
// bin/build-image.js loads: resolving, reading and compiling some 280 modules one by one cost each CLI run about
// 150 ms, a third of a no-op rebuild. The library (dist/index.js) stays unbundled. The bundle sits beside
// dist/cli/main.js, so paths it computes from import.meta.url (package.json, bin/) are the same.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/index.js'],
  outfile: 'dist/cli/bundle.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Bundled CommonJS dependencies (tar-stream) call require for Node's own modules.
  banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" },
  logLevel: 'warning',
});
