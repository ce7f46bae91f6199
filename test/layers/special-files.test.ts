import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDevice, makeFifo } from '../../src/layers/special-files.js';
import { isRoot, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

describe('special files', () => {
  it('makes fifos', async () => {
    const file = path.join(await tempDir(), 'fifo');
    await makeFifo(file);
    expect((await lstat(file)).isFIFO()).toBe(true);
  });

  it.runIf(isRoot)('makes character and block devices with their numbers', async () => {
    const dir = await tempDir();
    await makeDevice(path.join(dir, 'c'), 'character-device', 1, 5);
    await makeDevice(path.join(dir, 'b'), 'block-device', 7, 0);
    const char = await lstat(path.join(dir, 'c'));
    expect(char.isCharacterDevice()).toBe(true);
    expect(char.rdev).toBe((1 << 8) | 5);
    expect((await lstat(path.join(dir, 'b'))).isBlockDevice()).toBe(true);
  });
});
