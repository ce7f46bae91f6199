import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OverlayUnsupportedError, applyLayer, diffTrees, overlayUpperToChanges, writeLayer, type LayerChange } from '../../src/layers/index.js';
import { CAPABILITY_HEX, collector, isRoot, setXattr, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

const summary = (changes: LayerChange[]) => changes.map((change) => (change.kind === 'add' ? `+${change.type[0]} ${change.path}` : `${change.kind === 'delete' ? '-' : 'o'} ${change.path}`));

// trusted.* attributes and whiteout device nodes need root.
describe.runIf(isRoot)('overlayUpperToChanges', () => {
  it('turns 0/0 character devices into deletions and overlay.opaque=y directories into opaque markers', async () => {
    const upper = await tempDir('upper-');
    await mkdir(path.join(upper, 'etc/opaque'), { recursive: true });
    await mkdir(path.join(upper, 'etc/x-marked'));
    execFileSync('mknod', [path.join(upper, 'etc/removed'), 'c', '0', '0']);
    execFileSync('mknod', [path.join(upper, 'etc/x-marked/removed-too'), 'c', '0', '0']);
    await writeFile(path.join(upper, 'etc/opaque/fresh'), 'fresh');
    await writeFile(path.join(upper, 'etc/xattr-whiteout'), '');
    await writeFile(path.join(upper, 'etc/tool'), 'binary');
    execFileSync('mknod', [path.join(upper, 'etc/real-device'), 'c', '1', '3']);
    setXattr(path.join(upper, 'etc/opaque'), 'trusted.overlay.opaque', '79'); // "y"
    setXattr(path.join(upper, 'etc/x-marked'), 'trusted.overlay.opaque', '78'); // "x": holds xattr whiteouts, not opaque
    setXattr(path.join(upper, 'etc/xattr-whiteout'), 'trusted.overlay.whiteout', '');
    setXattr(path.join(upper, 'etc'), 'trusted.overlay.impure', '79');
    setXattr(path.join(upper, 'etc/tool'), 'trusted.overlay.origin', '00fb');
    setXattr(path.join(upper, 'etc/tool'), 'security.capability', CAPABILITY_HEX);

    const changes = await overlayUpperToChanges(upper);
    expect(summary(changes)).toEqual([
      '+d etc',
      '+d etc/opaque',
      'o etc/opaque',
      '+f etc/opaque/fresh',
      '+c etc/real-device',
      '- etc/removed',
      '+f etc/tool',
      '+d etc/x-marked',
      '- etc/x-marked/removed-too',
      '- etc/xattr-whiteout',
    ]);
    const tool = changes.find((c) => c.path === 'etc/tool');
    expect(tool?.kind === 'add' && [...(tool.xattrs?.keys() ?? [])]).toEqual(['security.capability']);
    const etc = changes.find((c) => c.path === 'etc');
    expect(etc?.kind === 'add' && etc.xattrs).toBeUndefined();
  });

  it('refuses redirect_dir and metacopy uppers with a typed error', async () => {
    const redirected = await tempDir('upper-');
    await mkdir(path.join(redirected, 'moved'));
    setXattr(path.join(redirected, 'moved'), 'trusted.overlay.redirect', Buffer.from('/original').toString('hex'));
    await expect(overlayUpperToChanges(redirected)).rejects.toBeInstanceOf(OverlayUnsupportedError);
    const metacopied = await tempDir('upper-');
    await writeFile(path.join(metacopied, 'chmodded'), '');
    setXattr(path.join(metacopied, 'chmodded'), 'trusted.overlay.metacopy', '');
    await expect(overlayUpperToChanges(metacopied)).rejects.toMatchObject({ code: 'LAYER_OVERLAY_UNSUPPORTED' });
  });

  it('captures what a real overlay mount recorded, so lower + layer equals the merged view', async () => {
    const base = await tempDir('overlay-');
    const [lower, upper, work, merged] = ['lower', 'upper', 'work', 'merged'].map((name) => path.join(base, name));
    for (const dir of [upper, work, merged]) await mkdir(dir);
    await mkdir(path.join(lower, 'etc/conf.d'), { recursive: true });
    await mkdir(path.join(lower, 'var/cache/pkg'), { recursive: true });
    await writeFile(path.join(lower, 'etc/passwd'), 'root');
    await writeFile(path.join(lower, 'etc/conf.d/old'), 'old');
    await writeFile(path.join(lower, 'var/cache/pkg/blob'), 'blob');
    await writeFile(path.join(lower, 'bin-tool'), 'tool');
    const mount = spawnSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work},index=off,metacopy=off,redirect_dir=off`, merged], { encoding: 'utf8' });
    if (mount.status !== 0) {
      console.warn(`\n*** SKIPPED real overlay mount test: mount failed: ${mount.stderr.trim()} ***\n`);
      return;
    }
    try {
      await writeFile(path.join(merged, 'etc/passwd'), 'root:changed');
      await rm(path.join(merged, 'etc/conf.d'), { recursive: true });
      await mkdir(path.join(merged, 'etc/conf.d'));
      await writeFile(path.join(merged, 'etc/conf.d/new'), 'new');
      await rm(path.join(merged, 'var/cache'), { recursive: true });
      await chmod(path.join(merged, 'bin-tool'), 0o4755);
      await mkdir(path.join(merged, 'opt/app'), { recursive: true });
      await writeFile(path.join(merged, 'opt/app/run'), 'run');

      const changes = await overlayUpperToChanges(upper);
      expect(summary(changes)).toEqual([
        '+f bin-tool',
        '+d etc',
        '+d etc/conf.d',
        'o etc/conf.d',
        '+f etc/conf.d/new',
        '+f etc/passwd',
        '+d opt',
        '+d opt/app',
        '+f opt/app/run',
        '+d var',
        '- var/cache',
      ]);
      const layer = collector();
      await writeLayer(changes, { output: layer.stream });
      const target = await tempDir('target-');
      execFileSync('cp', ['-a', `${lower}/.`, target]);
      await applyLayer(Readable.from([layer.bytes()]), target);
      expect(await diffTrees(merged, target)).toEqual([]);
    } finally {
      execFileSync('umount', [merged]);
    }
  });
});
