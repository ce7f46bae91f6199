/** `npm run bench -- hardening`: peak RSS of a build of a 2 GiB context (see context-rss.mjs). */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const run = spawnSync(process.execPath, [fileURLToPath(new URL('./context-rss.mjs', import.meta.url)), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exitCode = run.status ?? 1;
