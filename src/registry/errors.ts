import { CodedError } from '../errors/index.js';
/**
 * Stable error codes of src/registry. Tools may switch on them; never rename one, only add.
 *
 * Messages name the reference and the registry, never a credential: no error of this folder is built from a header,
 * a token response or a credential helper's output.
 */
export const RegistryErrorCode = {
  InvalidReference: 'REGISTRY_INVALID_REFERENCE',
  Unauthorized: 'REGISTRY_UNAUTHORIZED',
  Denied: 'REGISTRY_DENIED',
  NotFound: 'REGISTRY_NOT_FOUND',
  DigestMismatch: 'REGISTRY_DIGEST_MISMATCH',
  Unreachable: 'REGISTRY_UNREACHABLE',
  Protocol: 'REGISTRY_PROTOCOL',
  PlatformNotFound: 'REGISTRY_PLATFORM_NOT_FOUND',
  CredentialLookup: 'REGISTRY_CREDENTIAL_LOOKUP',
  InsecureNotAllowed: 'REGISTRY_INSECURE_NOT_ALLOWED',
} as const;

export type RegistryErrorCode = (typeof RegistryErrorCode)[keyof typeof RegistryErrorCode];

export interface RegistryErrorDetails {
  /** The image reference the operation was about. */
  reference?: string;
  /** The registry host (and port). */
  registry?: string;
  /** The HTTP status that caused the error, when one did. */
  status?: number;
  cause?: unknown;
}

/** Every failure of src/registry. */
export class RegistryError extends CodedError<RegistryErrorCode> {
  override readonly name: string = 'RegistryError';
  readonly reference: string | undefined;
  readonly registry: string | undefined;
  readonly status: number | undefined;

  constructor(code: RegistryErrorCode, message: string, details: RegistryErrorDetails = {}) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.reference = details.reference;
    this.registry = details.registry;
    this.status = details.status;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, reference: this.reference, registry: this.registry, status: this.status };
  }
}

/** A reference string that is not a valid Docker image reference. */
export class InvalidReferenceError extends RegistryError {
  override readonly name = 'InvalidReferenceError';
  /** Docker's own message for the problem (e.g. `invalid reference format`). */
  readonly detail: string;

  constructor(text: string, detail: string) {
    super(RegistryErrorCode.InvalidReference, `image reference "${text}": ${detail}`, { reference: text });
    this.detail = detail;
  }
}
