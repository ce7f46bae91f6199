import { CodedError } from '../errors/index.js';
/**
 * Stable error codes of src/image. Tools may switch on them; never rename one, only add.
 */
export const ImageErrorCode = {
  InvalidDigest: 'IMAGE_INVALID_DIGEST',
  DigestMismatch: 'IMAGE_DIGEST_MISMATCH',
  SizeMismatch: 'IMAGE_SIZE_MISMATCH',
  BlobNotFound: 'IMAGE_BLOB_NOT_FOUND',
  BlobTooLarge: 'IMAGE_BLOB_TOO_LARGE',
  InvalidJson: 'IMAGE_INVALID_JSON',
  InvalidManifest: 'IMAGE_INVALID_MANIFEST',
  InvalidIndex: 'IMAGE_INVALID_INDEX',
  InvalidConfig: 'IMAGE_INVALID_CONFIG',
  InvalidLayout: 'IMAGE_INVALID_LAYOUT',
  InvalidArchive: 'IMAGE_INVALID_ARCHIVE',
  InvalidReference: 'IMAGE_INVALID_REFERENCE',
  InvalidPlatform: 'IMAGE_INVALID_PLATFORM',
  ReferenceNotFound: 'IMAGE_REFERENCE_NOT_FOUND',
  AmbiguousReference: 'IMAGE_AMBIGUOUS_REFERENCE',
  PlatformNotFound: 'IMAGE_PLATFORM_NOT_FOUND',
  UnsupportedMediaType: 'IMAGE_UNSUPPORTED_MEDIA_TYPE',
  UnsupportedCompression: 'IMAGE_UNSUPPORTED_COMPRESSION',
  UnsupportedTransport: 'IMAGE_UNSUPPORTED_TRANSPORT',
  DiffIdMismatch: 'IMAGE_DIFF_ID_MISMATCH',
} as const;

export type ImageErrorCode = (typeof ImageErrorCode)[keyof typeof ImageErrorCode];

/** Every failure of src/image: reading, writing or resolving images and their blobs. */
export class ImageError extends CodedError<ImageErrorCode> {
  override readonly name: string = 'ImageError';
}

/** A blob whose bytes do not hash to the digest (or do not have the size) that names it. */
export class BlobVerificationError extends ImageError {
  override readonly name = 'BlobVerificationError';
  readonly expected: string;
  readonly actual: string;

  constructor(code: typeof ImageErrorCode.DigestMismatch | typeof ImageErrorCode.SizeMismatch | typeof ImageErrorCode.DiffIdMismatch, what: string, expected: string, actual: string) {
    const noun = code === ImageErrorCode.SizeMismatch ? 'size' : code === ImageErrorCode.DiffIdMismatch ? 'uncompressed digest (diff ID)' : 'digest';
    super(code, `${what}: ${noun} is ${actual}, expected ${expected}; the content is corrupt or was changed, fetch or build it again`);
    this.expected = expected;
    this.actual = actual;
  }
}

/** A blob that the image refers to but that its location does not hold. */
export class BlobNotFoundError extends ImageError {
  override readonly name = 'BlobNotFoundError';
  readonly digest: string;

  constructor(digest: string, where: string) {
    super(ImageErrorCode.BlobNotFound, `blob ${digest} not found in ${where}`);
    this.digest = digest;
  }
}

/** An image reference string that cannot be parsed (see docs/image-references.md). */
export class ImageReferenceError extends ImageError {
  override readonly name = 'ImageReferenceError';
  readonly reference: string;

  constructor(code: ImageErrorCode, reference: string, detail: string) {
    super(code, `image reference "${reference}": ${detail}`);
    this.reference = reference;
  }
}
