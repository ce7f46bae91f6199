import type { RegistryReference } from './reference.js';

/** Token scopes (distribution's `repository:<name>:<actions>`). */
export function pullScope(reference: RegistryReference): string {
  return `repository:${reference.repository}:pull`;
}

export function pushScope(reference: RegistryReference): string {
  return `repository:${reference.repository}:pull,push`;
}
