import { open, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawnInUserNamespace } from '../../src/executor/index.js';
import { readSubordinateIds } from '../../src/executor/subordinate-ids.js';
import { which } from '../fixtures/tools.js';
import { repoRoot } from '../support/shared-data.js';

export const isRoot = process.getuid?.() === 0;

/**
 * Why this user cannot build rootless with its subordinate ids mapped (no unshare, newuidmap or newgidmap, no
 * range in /etc/subuid or /etc/subgid), or undefined when it can. Outside CI a missing piece skips the caller
 * loudly; with CI=true it is an error (.ci/run sets the CI user up).
 */
export function rootlessUnsupported(suite: string): string | undefined {
  const uid = process.getuid!();
  const name = os.userInfo().username;
  const missing = [
    ...['unshare', 'newuidmap', 'newgidmap'].filter((tool) => which(tool) === undefined).map((tool) => `${tool} is not installed (Debian: util-linux, uidmap)`),
    ...(['subuid', 'subgid'] as const).filter((kind) => readSubordinateIds(`/etc/${kind}`, name, uid).length === 0).map((kind) => `${name} has no range in /etc/${kind}`),
  ];
  if (missing.length === 0) return undefined;
  const message = `SKIPPED ${suite}: ${missing.join(', ')}`;
  if (process.env.CI === 'true') throw new Error(`${message} (required when CI=true)`);
  console.warn(`\n*** ${message} ***\n`);
  return message;
}

/**
 * Runs vitest on `testFile` as root of a user namespace with this user's subordinate ids mapped (what a rootless
 * build of the CLI runs in), its output going to a file; returns the exit code and the output.
 */
export async function runTestFileInUserNamespace(testFile: string, workDir: string): Promise<{ code: number | null; output: string }> {
  const logFile = path.join(workDir, 'vitest.log');
  const log = await open(logFile, 'w');
  try {
    const vitest = path.join(repoRoot, 'node_modules/vitest/vitest.mjs');
    const child = spawnInUserNamespace([process.execPath, vitest, 'run', '--configLoader', 'runner', '--reporter=verbose', path.relative(repoRoot, testFile)], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', log.fd, log.fd],
    });
    const mapping = await child.mapped;
    if (mapping.singleIdReason !== undefined) throw new Error(`the user namespace maps only one id: ${mapping.singleIdReason}`);
    const end = await child.exited;
    return { code: end.code, output: await readFile(logFile, 'utf8') };
  } finally {
    await log.close();
  }
}
