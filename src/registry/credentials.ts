/**
 * Credentials for a registry, and where they come from. Values of these objects are secrets: nothing in this folder
 * puts them in a message, a log line or an error.
 */
export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (Docker's `identitytoken`), exchanged at the token server. */
  identityToken?: string;
  /** A bearer token sent as is (Docker's `registrytoken`). */
  registryToken?: string;
}

/** Looks up the credentials for a registry (and the repository, for stores keyed by repository). */
export type CredentialProvider = (registry: string, repository?: string) => Promise<RegistryCredentials | undefined>;

/** Credentials given by the API: by registry host (`docker.io`, `localhost:5000`). */
export type ExplicitCredentials = Readonly<Record<string, RegistryCredentials>>;

export function explicitCredentials(credentials: ExplicitCredentials): CredentialProvider {
  return async (registry) => credentials[registry];
}

/** The first provider that has credentials for the registry wins. */
export function chainCredentials(...providers: CredentialProvider[]): CredentialProvider {
  return async (registry, repository) => {
    for (const provider of providers) {
      const found = await provider(registry, repository);
      if (found && hasCredentials(found)) return found;
    }
    return undefined;
  };
}

export function hasCredentials(credentials: RegistryCredentials): boolean {
  return Boolean(credentials.username || credentials.password || credentials.identityToken || credentials.registryToken);
}
