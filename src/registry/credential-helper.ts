import { spawn } from 'node:child_process';
import { RegistryError, RegistryErrorCode } from './errors.js';
import type { RegistryCredentials } from './credentials.js';

/**
 * The docker-credential-helpers protocol: `docker-credential-<name> get` reads the server URL on stdin and prints
 * `{"ServerURL":..., "Username":..., "Secret":...}`; a `Username` of `<token>` means the secret is an identity
 * token. "credentials not found" (on stdout, exit 1) is not an error. Helper output is never put in an error: it may
 * hold the secret.
 */
export interface CredentialHelperOptions {
  /** The environment the helper runs in; its PATH finds the helper. */
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export async function runCredentialHelper(helper: string, serverUrl: string, options: CredentialHelperOptions): Promise<RegistryCredentials | undefined> {
  const command = `docker-credential-${helper}`;
  const fail = (detail: string, cause?: unknown): RegistryError =>
    new RegistryError(RegistryErrorCode.CredentialLookup, `credential helper ${command} could not get credentials for ${serverUrl}: ${detail}`, { registry: serverUrl, cause });

  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
    const child = spawn(command, ['get'], { env: options.env, stdio: ['pipe', 'pipe', 'ignore'], timeout: options.timeoutMs ?? 30_000 });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(fail(error.code === 'ENOENT' ? `${command} is not installed (not found on PATH)` : `it could not be started (${error.code ?? 'error'})`));
    });
    child.on('close', (exitCode) => resolve({ code: exitCode, stdout: Buffer.concat(chunks).toString('utf8') }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(serverUrl);
  });
  if (code !== 0) {
    if (/credentials not found/i.test(stdout)) return undefined;
    throw fail(`it exited with status ${code ?? 'killed'}`);
  }
  let parsed: { Username?: unknown; Secret?: unknown };
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch {
    throw fail('its output is not JSON');
  }
  if (typeof parsed.Secret !== 'string' || parsed.Secret === '') return undefined;
  if (parsed.Username === '<token>') return { identityToken: parsed.Secret };
  return { username: typeof parsed.Username === 'string' ? parsed.Username : '', password: parsed.Secret };
}
