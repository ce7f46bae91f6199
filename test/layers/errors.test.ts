import { describe, expect, it } from 'vitest';
import * as layers from '../../src/layers/index.js';

describe('layer errors', () => {
  const samples: layers.LayerError[] = [
    new layers.InvalidLayerChangeError('a', 'x'),
    new layers.InvalidCompressionError('x'),
    new layers.CompressionUnavailableError('zstd', 'x'),
    new layers.UnsupportedCompressionError('xz'),
    new layers.CorruptLayerError('x'),
    new layers.UnsafeLayerPathError('../a', 'x'),
    new layers.LinkEscapeError('a', '../b'),
    new layers.HardlinkTargetError('a', 'b', 'x'),
    new layers.SymlinkLoopError('a'),
    new layers.LayerPathConflictError('a', 'x'),
    new layers.UnsupportedEntryError('a', 'x'),
    new layers.SourceChangedError('/a', 'x'),
    new layers.XattrToolUnavailableError('getfattr'),
    new layers.XattrError('x'),
    new layers.OverlayUnsupportedError('a', 'x'),
    new layers.InvalidSourceDateEpochError('x'),
    new layers.LayerApplyError('a', Object.assign(new Error('x'), { code: 'ENAMETOOLONG' })),
  ];

  it('gives every class its own stable code and a LayerError base', () => {
    const codes = samples.map((error) => error.code);
    expect(new Set(codes).size).toBe(samples.length);
    expect(new Set(codes)).toEqual(new Set(Object.values(layers.LayerErrorCode)));
    for (const error of samples) {
      expect(error).toBeInstanceOf(layers.LayerError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(error.constructor.name);
    }
  });

  it('says "unavailable" when a compression tool is missing', () => {
    expect(new layers.CompressionUnavailableError('zstd', 'not installed').message).toMatch(/zstd compression is unavailable/);
    expect(layers.LayerErrorCode.CompressionUnavailable).toBe('LAYER_COMPRESSION_UNAVAILABLE');
  });
});
