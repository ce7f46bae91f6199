import { execFileSync } from 'node:child_process';
import { lstatSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { entryFromStats } from '../../src/context/entry.js';
import { makeTree } from './fixtures.js';

describe('entryFromStats', () => {
  it('records type, permission bits and the symlink target', () => {
    const root = makeTree({ f: 'abc', d: { dir: true }, l: { symlink: 'f' } });
    const at = (rel: string) => lstatSync(path.join(root, rel), { bigint: true });
    expect(entryFromStats('f', at('f'))).toMatchObject({ path: 'f', type: 'file', size: 3, devMajor: 0, devMinor: 0 });
    expect(entryFromStats('d', at('d')).type).toBe('directory');
    const link = entryFromStats('l', at('l'), 'f');
    expect(link).toMatchObject({ type: 'symlink', linkTarget: 'f' });
    expect(entryFromStats('f', at('f')).mode).toBe(Number(at('f').mode & 0o7777n));
    expect('linkTarget' in entryFromStats('f', at('f'))).toBe(false);
  });

  it('records the device numbers of a character device', () => {
    expect(entryFromStats('null', lstatSync('/dev/null', { bigint: true }))).toMatchObject({ type: 'character-device', devMajor: 1, devMinor: 3 });
  });

  it('recognises a FIFO', () => {
    const root = makeTree({});
    execFileSync('mkfifo', [path.join(root, 'pipe')]);
    expect(entryFromStats('pipe', lstatSync(path.join(root, 'pipe'), { bigint: true })).type).toBe('fifo');
  });
});
