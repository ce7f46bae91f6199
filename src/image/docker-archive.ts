import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { tempName, writeVerifiedTemp } from './atomic-file.js';
import { openVerifiedBlob, type BlobSource } from './blobs.js';
import { canonicalJsonBytes } from './canonical-json.js';
import { chainIds } from './chain-id.js';
import { decompressor, detectCompression } from './compression.js';
import { Digester, digestOf, parseDigest } from './digest.js';
import { maxDocumentSize, parseImageConfig, parseJson } from './documents.js';
import { BlobNotFoundError, BlobVerificationError, ImageError, ImageErrorCode } from './errors.js';
import { TarFiles, readLayoutFile, type LayoutFiles } from './layout-files.js';
import { layerCompressionOf, MediaType, ociLayerMediaType } from './media-types.js';
import { checkRepoTag, normalizeDockerReference } from './reference.js';
import { platformOfConfig, resolveImage } from './resolve.js';
import { serializeManifest } from './serialize.js';
import { TarFileWriter, type TarWriterOptions } from './tar-writer.js';
import type { Descriptor, DockerArchiveManifestEntry, ImageConfig, Platform } from './types.js';

/**
 * docker-archive: the tarball of `docker save` / `docker load` and skopeo's `docker-archive:` transport.
 *
 * Written as skopeo writes it: the config as `<config-hex>.json`, each layer uncompressed as `<diff-id-hex>.tar`
 * (compressed layers are decompressed and checked against the config's diff IDs), `manifest.json` with
 * Config/RepoTags/Layers, and for older loaders a `repositories` file with legacy `<layer-id>/{VERSION,json,
 * layer.tar}` entries (layer.tar a symlink to the layer). Both `docker load` and `skopeo copy docker-archive:` accept
 * gzip layers too, but uncompressed layers are what `docker save` itself writes and what every reader accepts.
 *
 * Read from manifest.json, whatever wrote it (`docker save` before and after Docker 25, skopeo, this package),
 * with layers uncompressed or compressed. An archive has no manifest blob, so one is made up (an OCI manifest
 * over the archive's config and layer files): its digest is not that of the image the archive was saved from.
 */

export interface DockerArchiveOptions extends TarWriterOptions {
  /** Docker references `name[:tag]` for RepoTags (`:latest` added when missing). */
  repoTags?: readonly string[];
  /** When the descriptor is an index: the platform to write (default: linux on this machine's architecture). */
  platform?: Platform;
}

/** Writes one image (a manifest, or an index resolved by platform) as a docker-archive. */
export async function writeDockerArchive(file: string, source: BlobSource, descriptor: Descriptor, options: DockerArchiveOptions = {}): Promise<void> {
  const repoTags = (options.repoTags ?? []).map(checkRepoTag);
  const image = await resolveImage(source, descriptor, { platform: options.platform, what: 'docker-archive export' });
  const diffIds = image.config.rootfs.diff_ids;
  const target = path.resolve(file);
  const scratch = await mkdtemp(path.join(path.dirname(target), `.${path.basename(target)}.layers-`));
  const writer = TarFileWriter.create(target, options);
  try {
    const configName = `${parseDigest(image.configDescriptor.digest).hex}.json`;
    await writer.addBuffer(configName, image.configBytes);

    const layerNames: string[] = [];
    const written = new Set<string>();
    for (const [i, layer] of image.manifest.layers.entries()) {
      const diffId = diffIds[i];
      const name = `${parseDigest(diffId).hex}.tar`;
      layerNames.push(name);
      if (written.has(name)) continue;
      await writeLayer(writer, name, source, layer, diffId, path.join(scratch, tempName('layer-')));
      written.add(name);
    }

    const layerIds = chainIds(diffIds).map((id) => parseDigest(id).hex);
    for (const [i, id] of layerIds.entries()) {
      await writer.addDirectory(id);
      await writer.addBuffer(`${id}/VERSION`, Buffer.from('1.0'));
      await writer.addBuffer(`${id}/json`, canonicalJsonBytes(legacyLayerConfig(image.config, id, layerIds[i - 1], i === layerIds.length - 1)));
      await writer.addSymlink(`${id}/layer.tar`, `../${layerNames[i]}`);
    }

    const manifest: DockerArchiveManifestEntry[] = [{ Config: configName, RepoTags: repoTags, Layers: layerNames }];
    await writer.addBuffer('manifest.json', Buffer.from(JSON.stringify(manifest)));
    const top = layerIds.at(-1);
    if (top !== undefined && repoTags.length > 0) {
      const repositories: Record<string, Record<string, string>> = {};
      for (const repoTag of repoTags) {
        const colon = repoTag.lastIndexOf(':');
        (repositories[repoTag.slice(0, colon)] ??= {})[repoTag.slice(colon + 1)] = top;
      }
      await writer.addBuffer('repositories', Buffer.from(JSON.stringify(repositories)));
    }
    await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function writeLayer(writer: TarFileWriter, name: string, source: BlobSource, layer: Descriptor, diffId: string, scratchFile: string): Promise<void> {
  const compression = layerCompressionOf(layer.mediaType);
  if (compression === undefined) {
    throw new ImageError(ImageErrorCode.UnsupportedMediaType, `layer ${layer.digest} has media type ${layer.mediaType}, which a docker-archive cannot hold`);
  }
  if (compression === 'none') {
    if (layer.digest !== diffId) throw new BlobVerificationError(ImageErrorCode.DiffIdMismatch, `layer ${layer.digest}`, diffId, layer.digest);
    await writer.addStream(name, layer.size, await openVerifiedBlob(source, layer));
    return;
  }
  const unpack = decompressor(compression)!;
  const uncompressed = pipeline(await openVerifiedBlob(source, layer), unpack, () => undefined);
  try {
    const { size } = await writeVerifiedTemp(uncompressed, scratchFile, { expected: { digest: diffId }, durable: false, what: `layer ${layer.digest} uncompressed` });
    await writer.addStream(name, size, createReadStream(scratchFile));
  } catch (error) {
    if (error instanceof BlobVerificationError && error.code === ImageErrorCode.DigestMismatch) {
      throw new BlobVerificationError(ImageErrorCode.DiffIdMismatch, `layer ${layer.digest}`, diffId, error.actual);
    }
    throw error;
  } finally {
    await rm(scratchFile, { force: true });
  }
}

/** The per-layer `json` of the legacy format (as skopeo writes it): id, parent, and for the top layer the config. */
function legacyLayerConfig(config: ImageConfig, id: string, parent: string | undefined, top: boolean): Record<string, unknown> {
  const result: Record<string, unknown> = { id };
  if (parent !== undefined) result.parent = parent;
  if (top) {
    const source = config as unknown as Record<string, unknown>;
    for (const key of ['architecture', 'config', 'container', 'container_config', 'created', 'docker_version', 'os']) {
      if (source[key] !== undefined) result[key] = source[key];
    }
  }
  return result;
}

/** A docker-archive opened for reading; a BlobSource of the made-up manifests, the configs and the layer files. */
export class DockerArchiveReader implements BlobSource {
  readonly files: LayoutFiles;
  readonly entries: DockerArchiveManifestEntry[];
  private readonly documents = new Map<string, Buffer>();
  private readonly layerFiles = new Map<string, string>();

  private constructor(files: LayoutFiles, entries: DockerArchiveManifestEntry[]) {
    this.files = files;
    this.entries = entries;
  }

  static async open(files: LayoutFiles): Promise<DockerArchiveReader> {
    const fail = (detail: string): never => {
      throw new ImageError(ImageErrorCode.InvalidArchive, `${files.location} is not a docker-archive: ${detail}`);
    };
    const bytes = await readLayoutFile(files, 'manifest.json', maxDocumentSize);
    if (!bytes) return fail('no manifest.json');
    const entries = parseJson(bytes, `${files.location}: manifest.json`);
    if (!Array.isArray(entries)) return fail('manifest.json is not an array');
    entries.forEach((entry: Partial<DockerArchiveManifestEntry> | null, i) => {
      if (entry === null || typeof entry !== 'object' || typeof entry.Config !== 'string') fail(`manifest.json[${i}] has no Config`);
      if (!Array.isArray(entry!.Layers) || !entry!.Layers.every((layer) => typeof layer === 'string')) fail(`manifest.json[${i}] has no Layers list`);
      if (entry!.RepoTags != null && (!Array.isArray(entry!.RepoTags) || !entry!.RepoTags.every((tag) => typeof tag === 'string'))) {
        fail(`manifest.json[${i}].RepoTags is not a list of strings`);
      }
    });
    return new DockerArchiveReader(files, entries as DockerArchiveManifestEntry[]);
  }

  /** Opens a docker-archive tar file (uncompressed, or gzip/zstd-compressed). */
  static async openFile(file: string): Promise<DockerArchiveReader> {
    const files = await TarFiles.open(file);
    try {
      return await DockerArchiveReader.open(files);
    } catch (error) {
      await files.close();
      throw error;
    }
  }

  get location(): string {
    return this.files.location;
  }

  /** The RepoTags of every image, by position. */
  repoTags(): string[][] {
    return this.entries.map((entry) => entry.RepoTags ?? []);
  }

  /**
   * The position of the image a reference selects: by Docker reference (compared in full form, so `busybox` matches
   * `docker.io/library/busybox:latest`), by position, or the only image.
   */
  findImage(selector: { tag?: string; index?: number } = {}): number {
    const where = `docker-archive ${this.location}`;
    if (selector.index !== undefined) {
      if (selector.index >= this.entries.length) {
        throw new ImageError(ImageErrorCode.ReferenceNotFound, `${where} has ${this.entries.length} image(s); there is no @${selector.index}`);
      }
      return selector.index;
    }
    if (selector.tag !== undefined) {
      const wanted = normalizeDockerReference(selector.tag);
      const found = this.entries.findIndex((entry) => (entry.RepoTags ?? []).some((tag) => normalizeDockerReference(tag) === wanted));
      if (found === -1) {
        const tags = this.repoTags().flat();
        throw new ImageError(ImageErrorCode.ReferenceNotFound, `${where} has no image ${selector.tag}${tags.length > 0 ? ` (it has ${tags.join(', ')})` : ''}`);
      }
      return found;
    }
    if (this.entries.length !== 1) {
      throw new ImageError(ImageErrorCode.AmbiguousReference, `${where} holds ${this.entries.length} images: name one (docker-archive:PATH:NAME:TAG or :@N)`);
    }
    return 0;
  }

  /** Makes up the OCI manifest of the image at `position` and returns its descriptor (with the platform). */
  async manifestDescriptor(position: number): Promise<Descriptor> {
    const entry = this.entries[position];
    const where = `docker-archive ${this.location}`;
    const configBytes = await readLayoutFile(this.files, entry.Config, maxDocumentSize);
    if (!configBytes) throw new ImageError(ImageErrorCode.InvalidArchive, `${where}: config ${entry.Config} is missing`);
    const config = parseImageConfig(configBytes, `${where}: ${entry.Config}`);
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== entry.Layers.length) {
      throw new ImageError(ImageErrorCode.InvalidArchive, `${where}: manifest.json lists ${entry.Layers.length} layers, the config ${diffIds.length} diff IDs`);
    }
    const configDescriptor: Descriptor = { mediaType: MediaType.OciConfig, digest: digestOf(configBytes), size: configBytes.length };
    this.documents.set(configDescriptor.digest, configBytes);

    const layers: Descriptor[] = [];
    for (const [i, layerPath] of entry.Layers.entries()) {
      const size = await this.files.size(layerPath);
      if (size === undefined) throw new ImageError(ImageErrorCode.InvalidArchive, `${where}: layer ${layerPath} is missing`);
      const compression = detectCompression(await this.head(layerPath));
      const digest = compression === 'none' ? diffIds[i] : await this.hashFile(layerPath);
      layers.push({ mediaType: ociLayerMediaType(compression), digest, size });
      this.layerFiles.set(digest, layerPath);
    }
    const manifest = serializeManifest({ config: configDescriptor, layers });
    this.documents.set(manifest.descriptor.digest, manifest.bytes);
    return { ...manifest.descriptor, platform: platformOfConfig(config) };
  }

  async openBlob(descriptor: Descriptor): Promise<Readable> {
    const document = this.documents.get(descriptor.digest);
    if (document) return Readable.from([document]);
    const layerPath = this.layerFiles.get(descriptor.digest);
    if (layerPath === undefined) throw new BlobNotFoundError(descriptor.digest, `docker-archive ${this.location}`);
    return this.files.open(layerPath);
  }

  async close(): Promise<void> {
    await this.files.close();
  }

  private async head(relativePath: string): Promise<Buffer> {
    const stream = await this.files.open(relativePath);
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length >= 4) break;
    }
    stream.destroy();
    return Buffer.concat(chunks).subarray(0, 4);
  }

  private async hashFile(relativePath: string): Promise<string> {
    const digester = new Digester();
    for await (const chunk of await this.files.open(relativePath)) digester.update(chunk as Buffer);
    return digester.digest();
  }
}
