/** OCI and Docker media types, and what kind of object each names. */
export const MediaType = {
  OciLayout: 'application/vnd.oci.layout.header.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciLayer: 'application/vnd.oci.image.layer.v1.tar',
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  OciLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  OciLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  OciLayerNondistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  OciEmpty: 'application/vnd.oci.empty.v1+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DockerLayerForeignGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

export type LayerCompression = 'none' | 'gzip' | 'zstd';

const indexTypes: ReadonlySet<string> = new Set([MediaType.OciIndex, MediaType.DockerManifestList]);
const manifestTypes: ReadonlySet<string> = new Set([MediaType.OciManifest, MediaType.DockerManifest]);
const configTypes: ReadonlySet<string> = new Set([MediaType.OciConfig, MediaType.DockerConfig]);
const layerCompression: ReadonlyMap<string, LayerCompression> = new Map<string, LayerCompression>([
  [MediaType.OciLayer, 'none'],
  [MediaType.OciLayerGzip, 'gzip'],
  [MediaType.OciLayerZstd, 'zstd'],
  [MediaType.OciLayerNondistributable, 'none'],
  [MediaType.OciLayerNondistributableGzip, 'gzip'],
  [MediaType.OciLayerNondistributableZstd, 'zstd'],
  [MediaType.DockerLayer, 'none'],
  [MediaType.DockerLayerGzip, 'gzip'],
  [MediaType.DockerLayerForeignGzip, 'gzip'],
]);

export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && indexTypes.has(mediaType);
}

export function isManifestMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && manifestTypes.has(mediaType);
}

export function isConfigMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && configTypes.has(mediaType);
}

export function isLayerMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && layerCompression.has(mediaType);
}

/** The compression a layer media type names; undefined for a media type that is not a known layer type. */
export function layerCompressionOf(mediaType: string): LayerCompression | undefined {
  return layerCompression.get(mediaType);
}

/** The OCI layer media type for a compression. */
export function ociLayerMediaType(compression: LayerCompression): string {
  return compression === 'gzip' ? MediaType.OciLayerGzip : compression === 'zstd' ? MediaType.OciLayerZstd : MediaType.OciLayer;
}
