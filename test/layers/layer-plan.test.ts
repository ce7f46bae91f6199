import { describe, expect, it } from 'vitest';
import { InvalidLayerChangeError } from '../../src/layers/errors.js';
import type { LayerAdd, LayerChange } from '../../src/layers/layer-change.js';
import { planLayer } from '../../src/layers/layer-plan.js';

const meta = { mode: 0o644, uid: 0, gid: 0, mtime: 2_000_000_000.75 };
const file = (path: string, extra: Partial<LayerAdd> = {}): LayerAdd => ({ kind: 'add', type: 'file', path, source: Buffer.from(path), ...meta, ...extra }) as LayerAdd;
const dir = (path: string): LayerAdd => ({ kind: 'add', type: 'directory', path, ...meta, mode: 0o755 });

describe('planLayer', () => {
  it('sorts entries parents first, turns deletions into whiteouts and puts opaque markers first in their directory', () => {
    const changes: LayerChange[] = [
      file('d/z'),
      { kind: 'delete', path: 'd/gone' },
      file('d/.hidden'),
      { kind: 'opaque', path: 'd' },
      dir('d'),
      file('a'),
      { kind: 'delete', path: 'top' },
    ];
    expect(planLayer(changes).map((entry) => entry.header.name)).toEqual(['.wh.top', 'a', 'd', 'd/.wh..wh..opq', 'd/.hidden', 'd/.wh.gone', 'd/z']);
  });

  it('keeps whole-second mtimes, or clamps them to SOURCE_DATE_EPOCH', () => {
    const changes: LayerChange[] = [file('late'), file('early', { mtime: 10.9 }), { kind: 'delete', path: 'x' }];
    expect(planLayer(changes).map((e) => [e.header.name, e.header.mtime])).toEqual([
      ['.wh.x', 0],
      ['early', 10],
      ['late', 2_000_000_000],
    ]);
    expect(planLayer(changes, { sourceDateEpoch: 1_000_000_000 }).map((e) => [e.header.name, e.header.mtime])).toEqual([
      ['.wh.x', 1_000_000_000],
      ['early', 10],
      ['late', 1_000_000_000],
    ]);
  });

  it('writes a shared inode once, at the first path in sort order, and hardlinks the others to it', () => {
    const plan = planLayer([file('z', { hardlinkKey: 'i1' }), file('b/x', { hardlinkKey: 'i1' }), file('a', { hardlinkKey: 'i1' }), file('c', { hardlinkKey: 'i2' })]);
    expect(plan.map((e) => [e.header.name, e.header.type, e.header.linkTarget])).toEqual([
      ['a', 'file', undefined],
      ['b/x', 'hardlink', 'a'],
      ['c', 'file', undefined],
      ['z', 'hardlink', 'a'],
    ]);
    expect(plan[1].content).toBeUndefined();
  });

  it('keeps mode bits including setuid, setgid and sticky, and masks the file type bits', () => {
    const [entry] = planLayer([file('s', { mode: 0o100000 | 0o7755 })]);
    expect(entry.header.mode).toBe(0o7755);
  });

  it('refuses malformed change lists with typed errors', () => {
    const bad: LayerChange[][] = [
      [file('/abs')],
      [file('a/../b')],
      [file('a/')],
      [file('a'), file('a')],
      [file('a'), { kind: 'delete', path: 'a' }],
      [file('a'), { kind: 'opaque', path: 'a' }],
      [{ kind: 'opaque', path: 'd' }, { kind: 'opaque', path: 'd' }],
      [file('.wh.sneaky')],
      [{ kind: 'delete', path: 'd/.wh..wh..opq' }],
      [file('rel', { source: 'relative/path' } as Partial<LayerAdd>)],
      [file('neg', { uid: -1 })],
      [file('x', { xattrs: new Map([['user.a=b', Buffer.from('')]]) })],
      [{ kind: 'add', type: 'symlink', path: 'l', linkTarget: '', ...meta }],
      [{ kind: 'add', type: 'character-device', path: 'c', devMajor: 1, devMinor: 1 << 22, ...meta }],
    ];
    for (const changes of bad) expect(() => planLayer(changes), JSON.stringify(changes.map((c) => c.path))).toThrow(InvalidLayerChangeError);
  });
});
