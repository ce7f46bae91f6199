import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** `../shared/conformance` beside the repository, read in place. */
export const conformanceRoot = path.resolve(repoRoot, '../shared/conformance');

/**
 * Whether the shared conformance data is there. Outside CI a missing folder skips its suites loudly; in CI
 * (CI=true) it is a failure.
 */
export function conformanceAvailable(suite: string): boolean {
  if (existsSync(conformanceRoot)) return true;
  const message = `SKIPPED ${suite}: conformance data not found at ${conformanceRoot}`;
  if (process.env.CI === 'true') throw new Error(`${message} (required when CI=true)`);
  console.warn(`\n*** ${message} ***\n`);
  return false;
}
