import { dockerHubRegistry } from './reference.js';

/**
 * Where a registry answers. Docker Hub's API is at registry-1.docker.io. Plain http is allowed only for registries
 * named insecure and, as Docker does, for loopback ones (localhost, 127.0.0.0/8, ::1); those are tried over https
 * first and fall back to http when https cannot connect.
 */
export function registryHost(registry: string): string {
  return registry === dockerHubRegistry ? 'registry-1.docker.io' : registry;
}

/** The host without its port (IPv6 without brackets). */
export function hostWithoutPort(registry: string): string {
  if (registry.startsWith('[')) return registry.slice(1, registry.indexOf(']'));
  const colon = registry.lastIndexOf(':');
  return colon === -1 ? registry : registry.slice(0, colon);
}

export function isLoopbackRegistry(registry: string): boolean {
  const host = hostWithoutPort(registry).toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Whether plain http may be used: loopback registries, and those listed (as `host` or `host:port`). */
export function allowsPlainHttp(registry: string, insecureRegistries: readonly string[]): boolean {
  if (isLoopbackRegistry(registry)) return true;
  const host = hostWithoutPort(registry);
  return insecureRegistries.some((entry) => entry === registry || entry === host);
}
