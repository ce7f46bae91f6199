/**
 * Runs every benchmark in bench/ one after the other (`npm run bench`), or the ones named:
 * `npm run bench -- parse`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const benchRoot = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const suites = readdirSync(benchRoot, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && (wanted.length === 0 || wanted.includes(entry.name)))
  .map((entry) => path.join(benchRoot, entry.name, `${entry.name}.bench.mjs`))
  .filter((file) => existsSync(file));

let failed = 0;
for (const file of suites) {
  console.log(`\n== ${path.relative(process.cwd(), file)}`);
  const run = spawnSync(process.execPath, [file], { stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
