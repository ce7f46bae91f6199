import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDirs } from './fixtures/temp-dir.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const dist = path.join(repo, 'dist', 'index.js');
const dir = tempDirs('readme');

describe('README', () => {
  it('its library example runs as written (against dist/)', async () => {
    if (!existsSync(dist)) {
      if (process.env.CI === 'true') throw new Error('dist/ is missing: npm test builds it first');
      console.warn('\n*** SKIPPED README example: dist/ is missing (run npm run build) ***\n');
      return;
    }
    const readme = await readFile(path.join(repo, 'README.md'), 'utf8');
    const example = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const cwd = await dir();
    await symlink(path.join(repo, 'examples'), path.join(cwd, 'examples'));
    const script = path.join(cwd, 'example.mjs');
    await writeFile(script, example!.replace("from 'build-image'", `from ${JSON.stringify(pathToFileURL(dist).href)}`));
    const { stdout } = await promisify(execFile)(process.execPath, [script], { cwd, env: { ...process.env, XDG_CACHE_HOME: path.join(cwd, 'cache') } });
    const digest = /^(sha256:[0-9a-f]{64}) /m.exec(stdout)?.[1];
    expect(digest).toBeDefined();
    expect(stdout).toMatch(/^built sha256:[0-9a-f]{64}$/m);
    expect(existsSync(path.join(cwd, 'out', 'static-site', 'index.json'))).toBe(true);
    expect(existsSync(path.join(cwd, 'out', 'site.tar'))).toBe(true);
  });
});
