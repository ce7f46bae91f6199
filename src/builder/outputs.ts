import { mkdir } from 'node:fs/promises';
import type { ContentStore } from '../cache/index.js';
import { copyImage, OciLayoutDirectory, writeDockerArchive, writeOciArchive, type Descriptor } from '../image/index.js';
import type { RegistryClient } from '../registry/index.js';
import type { LayerRecord } from './layer-record.js';
import type { OutputSpec } from './types.js';
import { BuildError, BuildErrorCode } from './errors.js';

/** A tag as an OCI layout's ref name: the part after the last `:` of `name:tag` (or `latest`). */
function layoutTag(tag: string | undefined): string {
  if (tag === undefined) return 'latest';
  const slash = tag.lastIndexOf('/');
  const colon = tag.lastIndexOf(':');
  return colon > slash ? tag.slice(colon + 1) : 'latest';
}

function dockerTag(tag: string | undefined): string | undefined {
  if (tag === undefined) return undefined;
  const slash = tag.lastIndexOf('/');
  return tag.lastIndexOf(':') > slash ? tag : `${tag}:latest`;
}

/** A registry output without names pushes under the tags: say so, so that what is reported names them. */
export function withPushNames(output: OutputSpec, tags: readonly string[]): OutputSpec {
  return output.type === 'registry' && output.names === undefined && tags.length > 0 ? { type: 'registry', names: [...tags] } : output;
}

/**
 * Writes the built image where one output says. Each output is written whole or not at all. A push mounts blobs from
 * `mountFrom` (the base image) when it is on the same registry. The registry client (`registry`) and the code of
 * pushes and of unpacking layers load only for the outputs that need them.
 */
export async function writeOutput(
  store: ContentStore,
  output: OutputSpec,
  manifest: Descriptor,
  layers: readonly LayerRecord[],
  tags: readonly string[],
  mtime: Date | undefined,
  registry: () => Promise<RegistryClient>,
  mountFrom?: string,
): Promise<void> {
  switch (output.type) {
    case 'oci-layout': {
      const layout = await OciLayoutDirectory.create(output.dest);
      await copyImage(store, layout, manifest);
      if (tags.length === 0) await layout.setReference(manifest, 'latest');
      for (const tag of tags) await layout.setReference(manifest, layoutTag(tag));
      return;
    }
    case 'oci-archive':
      await writeOciArchive(output.dest, store, (tags.length === 0 ? [undefined] : tags).map((tag) => ({ descriptor: manifest, tag: layoutTag(tag) })), { mtime });
      return;
    case 'docker':
      await writeDockerArchive(output.dest, store, manifest, { repoTags: tags.map((tag) => dockerTag(tag) as string), mtime });
      return;
    case 'registry': {
      const names = output.names ?? tags;
      if (names.length === 0) throw new BuildError(BuildErrorCode.NoPushName, 'pushing to a registry needs a name', { hint: 'Give -t NAME:TAG or --output type=registry,name=NAME:TAG' });
      const { pushImage } = await import('../registry/index.js');
      await pushImage({ store, client: await registry(), references: names, descriptor: manifest, mountFrom });
      return;
    }
    case 'local': {
      await mkdir(output.dest, { recursive: true });
      const { applyLayer } = await import('../layers/index.js');
      for (const layer of layers) await applyLayer(await store.openBlob(layer.descriptor), output.dest);
      return;
    }
  }
}
