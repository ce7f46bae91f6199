/**
 * Rootless builds: started by a user without root, the CLI runs itself again as root of a user namespace (see
 * spawnInUserNamespace), as `buildah unshare` does, and passes its exit code on. The variable BUILD_IMAGE_USERNS
 * marks the process inside (`inside`), and lets a user turn this off (`off`) or map only its own ids (`single`).
 */
import { realpathSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { UserNamespaceMapping } from '../executor/index.js';
import type { CliIo } from './io.js';

export const USERNS_VARIABLE = 'BUILD_IMAGE_USERNS';

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Runs `argv` again in a user namespace when this process is the build-image CLI run without root; returns the
 * exit code, or undefined when the command is to run here (root already, turned off, or no namespace possible:
 * then with a warning on stderr, since RUN steps will fail).
 */
export async function runInUserNamespaceIfRootless(argv: readonly string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number | undefined> {
  const mode = env[USERNS_VARIABLE];
  if (process.platform !== 'linux' || process.getuid?.() === 0 || mode === 'inside' || mode === 'off') return undefined;
  const entry = cliEntryPoint();
  if (entry === undefined) return undefined;
  const { spawnInUserNamespace } = await import('../executor/index.js');
  const child = spawnInUserNamespace([process.execPath, ...process.execArgv, entry, ...argv], {
    env: { ...env, [USERNS_VARIABLE]: 'inside' },
    ownSession: true,
    singleId: mode === 'single',
  });
  // The command runs in a session of its own, so the terminal's Ctrl-C reaches it once, through here.
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const listeners = FORWARDED_SIGNALS.map((signal) => [signal, forward(signal)] as const);
  for (const [signal, listener] of listeners) process.on(signal, listener);
  try {
    try {
      const mapping = await child.mapped;
      if (mapping.singleIdReason !== undefined) io.stderr.write(singleIdWarning(mapping));
    } catch (error) {
      await child.exited;
      io.stderr.write(`build-image: warning: ${(error as Error).message}\nbuild-image: warning: building without a user namespace, where RUN steps cannot run\n`);
      return undefined;
    }
    const end = await child.exited;
    return end.code ?? 128 + (end.signal !== null ? (os.constants.signals[end.signal] ?? 0) : 0);
  } finally {
    for (const [signal, listener] of listeners) process.removeListener(signal, listener);
  }
}

function singleIdWarning(mapping: UserNamespaceMapping): string {
  return (
    `build-image: warning: the user namespace maps only your own user to root (${mapping.singleIdReason}): files owned by other ` +
    'users cannot be represented (they become root) and RUN cannot switch to another USER; add ranges to /etc/subuid and ' +
    '/etc/subgid (usermod --add-subuids 100000-165535 --add-subgids 100000-165535 USER) and install newuidmap (Debian: uidmap)\n'
  );
}

/** bin/build-image.js when this process runs it (also through a node_modules/.bin link), else undefined. */
function cliEntryPoint(): string | undefined {
  const script = process.argv[1];
  if (script === undefined) return undefined;
  try {
    const entry = realpathSync(fileURLToPath(new URL('../../bin/build-image.js', import.meta.url)));
    return realpathSync(script) === entry ? entry : undefined;
  } catch {
    return undefined;
  }
}
