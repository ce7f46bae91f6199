import { RegistryError, RegistryErrorCode } from './errors.js';

/** A whole (document-sized) response body, failing past `maxSize` bytes. */
export async function readBody(response: Response, maxSize: number, what: string, registry: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxSize) {
    await response.body?.cancel();
    throw new RegistryError(RegistryErrorCode.Protocol, `${what}: registry ${registry} sent ${declared} bytes, more than the ${maxSize} accepted for a document`, { registry });
  }
  const chunks: Buffer[] = [];
  let total = 0;
  if (response.body) {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      total += chunk.length;
      if (total > maxSize) {
        throw new RegistryError(RegistryErrorCode.Protocol, `${what}: registry ${registry} sent more than the ${maxSize} bytes accepted for a document`, { registry });
      }
      chunks.push(Buffer.from(chunk));
    }
  }
  return Buffer.concat(chunks, total);
}

/** The media type of a Content-Type header, without parameters. */
export function mediaTypeOf(contentType: string | null): string | undefined {
  const type = contentType?.split(';')[0].trim();
  return type === undefined || type === '' ? undefined : type;
}
