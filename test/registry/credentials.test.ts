import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { authFileCredentials, authFilePaths, parseWwwAuthenticate, RegistryErrorCode } from '../../src/registry/index.js';
import { tempDirs } from '../fixtures/temp-dir.js';

const tempDir = tempDirs('registry-credentials');
const b64 = (text: string): string => Buffer.from(text).toString('base64');

async function home(config: unknown): Promise<string> {
  const dir = await tempDir();
  await mkdir(path.join(dir, '.docker'));
  await writeFile(path.join(dir, '.docker', 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return dir;
}

/** A docker-credential-<name> script answering `get` from a fixed table (server URL → JSON), in its own PATH dir. */
async function helper(name: string, answers: Record<string, string>, exitCode = 0): Promise<string> {
  const dir = await tempDir();
  const cases = Object.entries(answers)
    .map(([server, json]) => `  '${server}') printf '%s' '${json}' ;;`)
    .join('\n');
  await writeFile(
    path.join(dir, `docker-credential-${name}`),
    `#!/bin/sh\n[ "$1" = get ] || exit 2\nread server\ncase "$server" in\n${cases}\n  *) echo "credentials not found in native keychain"; exit 1 ;;\nesac\nexit ${exitCode}\n`,
  );
  await chmod(path.join(dir, `docker-credential-${name}`), 0o755);
  return dir;
}

describe('credentials from auth files', () => {
  it('reads auths entries: base64 auth, username/password, identitytoken; keys as hosts or URLs', async () => {
    const homeDir = await home({
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hubuser:hubpass:with:colons') },
        'registry.example:5000': { username: 'u', password: 'p' },
        'http://token.example/v2/': { identitytoken: 'refresh-me' },
      },
    });
    const lookup = authFileCredentials({ env: {}, homeDir });
    expect(await lookup('docker.io')).toEqual({ username: 'hubuser', password: 'hubpass:with:colons' });
    expect(await lookup('registry.example:5000')).toEqual({ username: 'u', password: 'p' });
    expect(await lookup('token.example')).toEqual({ identityToken: 'refresh-me' });
    expect(await lookup('other.example')).toBeUndefined();
  });

  it('takes REGISTRY_AUTH_FILE first, DOCKER_CONFIG over ~/.docker, and matches podman namespace keys longest first', async () => {
    const homeDir = await home({ auths: { 'quay.example': { auth: b64('docker:one') } } });
    const authFile = path.join(await tempDir(), 'auth.json');
    await writeFile(authFile, JSON.stringify({ auths: { 'quay.example/org': { auth: b64('podman:org') }, 'quay.example/org/team': { auth: b64('podman:team') } } }));
    const env = { REGISTRY_AUTH_FILE: authFile };
    expect(authFilePaths({ env, homeDir })).toEqual([authFile, path.join(homeDir, '.docker', 'config.json')]);
    const lookup = authFileCredentials({ env, homeDir });
    expect(await lookup('quay.example', 'org/team/app')).toEqual({ username: 'podman', password: 'team' });
    expect(await lookup('quay.example', 'org/app')).toEqual({ username: 'podman', password: 'org' });
    expect(await lookup('quay.example', 'else/app')).toEqual({ username: 'docker', password: 'one' });
    const configDir = path.join(await home({}), '.docker');
    expect(authFilePaths({ env: { DOCKER_CONFIG: configDir }, homeDir })).toEqual([path.join(configDir, 'config.json')]);
  });

  it('asks credHelpers for their registry and credsStore for the rest, with the helper protocol', async () => {
    const bin = await helper('fake', {
      'https://index.docker.io/v1/': '{"ServerURL":"https://index.docker.io/v1/","Username":"hub","Secret":"hub-secret"}',
      'ecr.example': '{"ServerURL":"ecr.example","Username":"<token>","Secret":"identity-secret"}',
    });
    const homeDir = await home({ credsStore: 'fake', credHelpers: { 'ecr.example': 'fake' }, auths: { 'plain.example': { auth: b64('a:b') } } });
    const lookup = authFileCredentials({ env: { PATH: `${bin}:/usr/bin:/bin` }, homeDir });
    expect(await lookup('docker.io')).toEqual({ username: 'hub', password: 'hub-secret' });
    expect(await lookup('ecr.example')).toEqual({ identityToken: 'identity-secret' });
    // The store has nothing for it: the auths entry answers.
    expect(await lookup('plain.example')).toEqual({ username: 'a', password: 'b' });
  });

  it('reports a missing or failing helper, and a broken file, without their contents', async () => {
    const missing = authFileCredentials({ env: { PATH: await tempDir() }, homeDir: await home({ credsStore: 'absent' }) });
    await expect(missing('docker.io')).rejects.toMatchObject({ code: RegistryErrorCode.CredentialLookup, message: expect.stringMatching(/docker-credential-absent is not installed/) });

    const bin = await helper('leaky', { 'x.example': '{"Username":"u","Secret":"leaked-secret"}' }, 3);
    const failing = authFileCredentials({ env: { PATH: `${bin}:/usr/bin:/bin` }, homeDir: await home({ credsStore: 'leaky' }) });
    const failure = await failing('x.example').catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: RegistryErrorCode.CredentialLookup });
    expect(JSON.stringify(failure) + String(failure)).not.toContain('leaked-secret');

    const broken = authFileCredentials({ env: {}, homeDir: await home('{"auths": {"x": {"auth": "c2VjcmV0LXBhc3M="}') });
    const parseFailure = await broken('x').catch((error: unknown) => error);
    expect(parseFailure).toMatchObject({ code: RegistryErrorCode.CredentialLookup, message: expect.stringMatching(/not valid JSON/) });
    expect(String(parseFailure)).not.toContain('c2VjcmV0LXBhc3M=');
  });
});

describe('parseWwwAuthenticate', () => {
  it('reads bearer and basic challenges with quoted parameters', () => {
    expect(parseWwwAuthenticate('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"')).toEqual([
      { scheme: 'bearer', parameters: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' } },
    ]);
    expect(parseWwwAuthenticate('Basic realm="Registry Realm", charset="UTF-8"')).toEqual([{ scheme: 'basic', parameters: { realm: 'Registry Realm', charset: 'UTF-8' } }]);
    expect(parseWwwAuthenticate('Basic realm="a\\"b", Bearer realm="r",error=invalid_token')).toEqual([
      { scheme: 'basic', parameters: { realm: 'a"b' } },
      { scheme: 'bearer', parameters: { realm: 'r', error: 'invalid_token' } },
    ]);
    expect(parseWwwAuthenticate('')).toEqual([]);
  });
});
