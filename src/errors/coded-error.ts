/**
 * The base of every error build-image raises on purpose: a stable, machine-readable `code` (codes are only ever
 * added, never renamed) and a message for people. Each folder's errors extend it with their own set of codes.
 */
export class CodedError<Code extends string = string> extends Error {
  override readonly name: string = 'CodedError';
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
