import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { runCredentialHelper } from './credential-helper.js';
import type { CredentialProvider, RegistryCredentials } from './credentials.js';
import { RegistryError, RegistryErrorCode } from './errors.js';
import { dockerHubRegistry } from './reference.js';

/**
 * Credentials from the files Docker, podman and skopeo write:
 *
 *   $REGISTRY_AUTH_FILE                   podman/skopeo's auth.json (when set)
 *   $DOCKER_CONFIG/config.json            or <home>/.docker/config.json
 *
 * looked up in that order, the first file with credentials for the registry winning. Within a file: `credHelpers`
 * for the registry, else `credsStore`, else `auths` (`auth` = base64 of `user:password`, or `username`/`password`,
 * `identitytoken`, `registrytoken`). `auths` keys may be hosts, URLs (`https://index.docker.io/v1/`) or, as podman
 * writes them, `host/namespace` (the longest match wins).
 *
 * Nothing here reads process.env or the real home directory: the caller passes them.
 */
export interface AuthFileOptions {
  env: NodeJS.ProcessEnv;
  /** The home directory (`~`), for ~/.docker/config.json. */
  homeDir: string;
  helperTimeoutMs?: number;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

interface AuthFile {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** Docker Hub's key in config files and its credential helpers. */
const dockerHubServerUrl = 'https://index.docker.io/v1/';
const dockerHubAliases = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** The auth files to read, in order. */
export function authFilePaths(options: Pick<AuthFileOptions, 'env' | 'homeDir'>): string[] {
  const files: string[] = [];
  if (options.env.REGISTRY_AUTH_FILE) files.push(options.env.REGISTRY_AUTH_FILE);
  const dockerConfigDir = options.env.DOCKER_CONFIG ? options.env.DOCKER_CONFIG : path.join(options.homeDir, '.docker');
  files.push(path.join(dockerConfigDir, 'config.json'));
  return files;
}

export function authFileCredentials(options: AuthFileOptions): CredentialProvider {
  return async (registry, repository) => {
    for (const file of authFilePaths(options)) {
      const config = await readAuthFile(file);
      if (!config) continue;
      const found = await credentialsInFile(config, file, registry, repository, options);
      if (found) return found;
    }
    return undefined;
  };
}

async function readAuthFile(file: string): Promise<AuthFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw new RegistryError(RegistryErrorCode.CredentialLookup, `cannot read the registry auth file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as AuthFile;
  } catch {
    // The file's text is not quoted: it holds secrets.
    throw new RegistryError(RegistryErrorCode.CredentialLookup, `the registry auth file ${file} is not valid JSON; fix or remove it`);
  }
}

async function credentialsInFile(config: AuthFile, file: string, registry: string, repository: string | undefined, options: AuthFileOptions): Promise<RegistryCredentials | undefined> {
  const helper = bestMatch(Object.keys(config.credHelpers ?? {}), registry, undefined);
  const helperName = helper !== undefined ? config.credHelpers?.[helper] : config.credsStore;
  if (typeof helperName === 'string' && helperName !== '') {
    const serverUrl = registry === dockerHubRegistry ? dockerHubServerUrl : registry;
    const found = await runCredentialHelper(helperName, serverUrl, { env: options.env, timeoutMs: options.helperTimeoutMs });
    if (found) return found;
  }
  const key = bestMatch(Object.keys(config.auths ?? {}), registry, repository);
  return key === undefined ? undefined : entryCredentials(config.auths?.[key], file, registry);
}

/** The key naming the registry (or, longest first, a namespace of the repository), if any. */
function bestMatch(keys: readonly string[], registry: string, repository: string | undefined): string | undefined {
  const wanted = normalizeRegistry(registry);
  const full = repository === undefined ? wanted : `${wanted}/${repository}`;
  let best: string | undefined;
  let bestLength = -1;
  for (const key of keys) {
    const normalized = normalizeKey(key);
    const matches = normalized === wanted || (repository !== undefined && (full === normalized || full.startsWith(`${normalized}/`)));
    if (matches && normalized.length > bestLength) {
      best = key;
      bestLength = normalized.length;
    }
  }
  return best;
}

function normalizeRegistry(registry: string): string {
  const lower = registry.toLowerCase();
  return dockerHubAliases.has(lower) ? dockerHubRegistry : lower;
}

/** `https://index.docker.io/v1/` → `docker.io`; `http://host:5000/v2/` → `host:5000`; `quay.io/org` stays. */
function normalizeKey(key: string): string {
  let text = key.trim();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text);
  if (scheme) {
    text = text.slice(scheme[0].length);
    const slash = text.indexOf('/');
    if (slash !== -1) text = text.slice(0, slash);
  }
  text = text.replace(/\/+$/, '');
  const slash = text.indexOf('/');
  const host = slash === -1 ? text : text.slice(0, slash);
  return normalizeRegistry(host) + (slash === -1 ? '' : text.slice(slash));
}

function entryCredentials(entry: AuthEntry | undefined, file: string, registry: string): RegistryCredentials | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const credentials: RegistryCredentials = {};
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) {
      throw new RegistryError(RegistryErrorCode.CredentialLookup, `the "auth" entry for ${registry} in ${file} is not base64 of user:password`, { registry });
    }
    credentials.username = decoded.slice(0, colon);
    credentials.password = decoded.slice(colon + 1);
  } else {
    if (typeof entry.username === 'string' && entry.username !== '') credentials.username = entry.username;
    if (typeof entry.password === 'string' && entry.password !== '') credentials.password = entry.password;
  }
  if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '') credentials.identityToken = entry.identitytoken;
  if (typeof entry.registrytoken === 'string' && entry.registrytoken !== '') credentials.registryToken = entry.registrytoken;
  return Object.keys(credentials).length > 0 ? credentials : undefined;
}
