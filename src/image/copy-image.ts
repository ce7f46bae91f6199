import { readBlob, type BlobSink, type BlobSource } from './blobs.js';
import { childDescriptors, documentKind, parseIndex, parseManifest } from './documents.js';
import type { Descriptor } from './types.js';

export interface CopyResult {
  /** Blobs written to the sink. */
  copied: number;
  /** Blobs the sink already held. */
  present: number;
}

/**
 * Copies an image graph (an index with its manifests, or a manifest with its config and layers) from a source to a
 * sink, children before parents so that a document never lands in the sink before what it refers to. Every blob is
 * verified by the sink; blobs it already holds are not read.
 */
export async function copyImage(source: BlobSource, sink: BlobSink, root: Descriptor): Promise<CopyResult> {
  const result: CopyResult = { copied: 0, present: 0 };
  const seen = new Set<string>();

  const visit = async (descriptor: Descriptor): Promise<void> => {
    if (seen.has(descriptor.digest)) return;
    seen.add(descriptor.digest);
    const kind = documentKind(descriptor.mediaType);
    if (kind === 'index' || kind === 'manifest') {
      const bytes = await readBlob(source, descriptor);
      const what = `${kind} ${descriptor.digest}`;
      const document = kind === 'index' ? parseIndex(bytes, what) : parseManifest(bytes, what);
      for (const child of childDescriptors(kind, document)) await visit(child);
      if (await sink.hasBlob(descriptor.digest)) result.present++;
      else {
        await sink.putBlob(bytes, descriptor);
        result.copied++;
      }
      return;
    }
    if (await sink.hasBlob(descriptor.digest)) {
      result.present++;
      return;
    }
    await sink.putBlob(await source.openBlob(descriptor), descriptor);
    result.copied++;
  };

  await visit(root);
  return result;
}
