import { describe, expect, it } from 'vitest';
import {
  childDescriptors,
  documentKind,
  MediaType,
  parseImageConfig,
  parseIndex,
  parseManifest,
  serializeImageConfig,
  serializeIndex,
  serializeManifest,
  type ImageConfig,
} from '../../src/image/index.js';

const digest = (c: string): string => `sha256:${c.repeat(64)}`;
const layer = { mediaType: MediaType.OciLayerGzip, digest: digest('a'), size: 10 };
const configDescriptor = { mediaType: MediaType.OciConfig, digest: digest('b'), size: 20 };

describe('image documents', () => {
  it('serialises a full Docker-style config canonically and parses it back unchanged', () => {
    const config: ImageConfig = {
      architecture: 'arm64',
      variant: 'v8',
      os: 'linux',
      created: '2024-01-02T03:04:05Z',
      author: 'me',
      config: {
        User: 'nobody:nobody',
        ExposedPorts: { '80/tcp': {}, '53/udp': {} },
        Env: ['PATH=/bin', 'A=1'],
        Entrypoint: ['/bin/sh', '-c'],
        Cmd: ['echo hi'],
        Volumes: { '/data': {} },
        WorkingDir: '/work',
        Labels: { 'org.example': 'yes' },
        StopSignal: 'SIGTERM',
        ArgsEscaped: true,
        Memory: 1024,
        Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 30_000_000_000, Timeout: 5_000_000_000, StartPeriod: 1_000_000_000, Retries: 3 },
        OnBuild: ['RUN make'],
        Shell: ['/bin/bash', '-c'],
      },
      rootfs: { type: 'layers', diff_ids: [digest('c')] },
      history: [{ created: '2024-01-02T03:04:05Z', created_by: 'COPY . /', comment: 'buildkit' }, { created_by: 'CMD', empty_layer: true }],
    };
    const serialized = serializeImageConfig(config);
    expect(serialized.descriptor).toMatchObject({ mediaType: MediaType.OciConfig, size: serialized.bytes.length });
    expect(serialized.bytes.toString()).not.toMatch(/\s"|:\s|,\s/);
    expect(parseImageConfig(serialized.bytes)).toEqual(config);
    expect(serializeImageConfig({ ...config }).descriptor.digest).toBe(serialized.descriptor.digest);
  });

  it('serialises manifests and indexes with their media types', () => {
    const manifest = serializeManifest({ config: configDescriptor, layers: [layer], annotations: { a: 'b' } });
    expect(JSON.parse(manifest.bytes.toString())).toEqual({
      annotations: { a: 'b' },
      config: configDescriptor,
      layers: [layer],
      mediaType: MediaType.OciManifest,
      schemaVersion: 2,
    });
    expect(parseManifest(manifest.bytes).layers).toEqual([layer]);
    const index = serializeIndex({ manifests: [{ ...manifest.descriptor, platform: { os: 'linux', architecture: 'amd64' } }] });
    expect(parseIndex(index.bytes).manifests[0].platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(childDescriptors('manifest', parseManifest(manifest.bytes))).toEqual([configDescriptor, layer]);
  });

  it('tells documents apart by media type or by shape', () => {
    expect(documentKind(MediaType.DockerManifestList)).toBe('index');
    expect(documentKind(MediaType.DockerManifest)).toBe('manifest');
    expect(documentKind(MediaType.DockerConfig)).toBe('config');
    expect(documentKind(MediaType.OciLayerGzip)).toBe('other');
    expect(documentKind(undefined, { manifests: [] })).toBe('index');
    expect(documentKind('application/json', { config: {}, layers: [] })).toBe('manifest');
    expect(documentKind(undefined, { rootfs: {} })).toBe('config');
  });

  it.each([
    ['not JSON', '{', 'IMAGE_INVALID_JSON'],
    ['schema 1', '{"schemaVersion":1}', 'IMAGE_INVALID_MANIFEST'],
    ['an index media type', JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, config: configDescriptor, layers: [] }), 'IMAGE_INVALID_MANIFEST'],
    ['a bad layer digest', JSON.stringify({ schemaVersion: 2, config: configDescriptor, layers: [{ ...layer, digest: 'sha256:1' }] }), 'IMAGE_INVALID_MANIFEST'],
    ['a negative size', JSON.stringify({ schemaVersion: 2, config: { ...configDescriptor, size: -1 }, layers: [] }), 'IMAGE_INVALID_MANIFEST'],
  ])('rejects a manifest with %s', (_name, text, code) => {
    expect(() => parseManifest(text)).toThrow(expect.objectContaining({ code }) as Error);
  });

  it('rejects configs without os, architecture or diff IDs', () => {
    const good = { os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [] } };
    expect(parseImageConfig(JSON.stringify(good))).toEqual(good);
    for (const bad of [
      { ...good, os: undefined },
      { ...good, architecture: '' },
      { ...good, rootfs: undefined },
      { ...good, rootfs: { type: 'other', diff_ids: [] } },
      { ...good, rootfs: { type: 'layers', diff_ids: ['x'] } },
    ]) {
      expect(() => parseImageConfig(JSON.stringify(bad))).toThrow(expect.objectContaining({ code: 'IMAGE_INVALID_CONFIG' }) as Error);
    }
    expect(() => parseIndex('{"schemaVersion":2}')).toThrow(expect.objectContaining({ code: 'IMAGE_INVALID_INDEX' }) as Error);
  });
});
