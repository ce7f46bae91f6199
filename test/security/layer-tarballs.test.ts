/**
 * Hostile layer tarballs applied with applyLayer: every entry lands inside the target or the layer is refused with a
 * typed LayerError; the sentinel next to the target never changes.
 */
import { spawnSync } from 'node:child_process';
import { chmod, chown, lstat, readFile, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyLayer, CorruptLayerError, HardlinkTargetError, LayerError, LinkEscapeError, UnsafeLayerPathError } from '../../src/layers/index.js';
import { expectRefused, listTree, timed, useSandboxes } from './support.js';
import { paxEntry, rawEntry, rawHeader, tarOf } from './tar-blocks.js';

const sandbox = useSandboxes('layers');
const layerSandbox = () => sandbox(['target']);
const apply = (tar: Buffer, target: string) => applyLayer(Readable.from([tar]), target);

describe('layer tarballs: names that leave the target', () => {
  it("refuses '../' names", async () => {
    const box = await layerSandbox();
    for (const name of ['../sentinel/secret', 'a/../../sentinel/secret', './../sentinel/etc/passwd']) {
      await expectRefused(apply(tarOf(rawEntry({ name }, 'evil')), box.dir('target')), { type: UnsafeLayerPathError, code: 'LAYER_UNSAFE_PATH', mentions: /refusing layer entry .*'\.\.' component/ });
    }
    expect(await listTree(box.dir('target'))).toEqual([]);
    await box.expectOutsideUntouched();
  });

  it('refuses absolute names', async () => {
    const box = await layerSandbox();
    for (const name of [path.join(box.sentinel, 'secret'), '/etc/passwd']) {
      await expectRefused(apply(tarOf(rawEntry({ name }, 'evil')), box.dir('target')), { type: UnsafeLayerPathError, code: 'LAYER_UNSAFE_PATH', mentions: /refusing layer entry .*absolute/ });
    }
    await box.expectOutsideUntouched();
  });

  it('keeps a file written through a symlink to the outside inside the target (the link is resolved in the root)', async () => {
    const box = await layerSandbox();
    const target = box.dir('target');
    const layer = tarOf(
      rawEntry({ name: 'abs', typeflag: '2', linkname: box.sentinel }),
      rawEntry({ name: 'abs/secret' }, 'evil'),
      rawEntry({ name: 'rel', typeflag: '2', linkname: '../../../../sentinel' }),
      rawEntry({ name: 'rel/secret' }, 'evil'),
      rawEntry({ name: 'host-etc', typeflag: '2', linkname: '/etc' }),
      rawEntry({ name: 'host-etc/passwd' }, 'image passwd'),
    );
    await apply(layer, target);
    expect(await readFile(path.join(target, box.sentinel, 'secret'), 'utf8')).toBe('evil');
    expect(await readFile(path.join(target, 'sentinel/secret'), 'utf8')).toBe('evil');
    expect(await readFile(path.join(target, 'etc/passwd'), 'utf8')).toBe('image passwd');
    expect(await readFile('/etc/passwd', 'utf8')).not.toBe('image passwd');
    await box.expectOutsideUntouched();
  });

  it('refuses hardlinks to outside targets', async () => {
    const box = await layerSandbox();
    const target = box.dir('target');
    for (const linkname of ['../sentinel/secret', path.join(box.sentinel, 'secret'), 'a/../../sentinel/secret']) {
      await expectRefused(apply(tarOf(rawEntry({ name: 'h', typeflag: '1', linkname })), target), { type: LinkEscapeError, code: 'LAYER_LINK_ESCAPE', mentions: /refusing hardlink 'h' .* leaves the layer root/ });
    }
    // Through a symlinked directory the target is looked up inside the root, where it does not exist.
    const viaSymlink = tarOf(rawEntry({ name: 'out', typeflag: '2', linkname: box.sentinel }), rawEntry({ name: 'h', typeflag: '1', linkname: 'out/secret' }));
    await expectRefused(apply(viaSymlink, target), { type: HardlinkTargetError, code: 'LAYER_HARDLINK_TARGET_INVALID', mentions: /does not exist/ });
    await expect(lstat(path.join(target, 'h'))).rejects.toMatchObject({ code: 'ENOENT' });
    await box.expectOutsideUntouched();
  });

  it('follows a symlinked parent replaced later in the same layer inside the target, both ways', async () => {
    const box = await layerSandbox();
    const target = box.dir('target');
    const layer = tarOf(
      rawEntry({ name: 'd/', typeflag: '5', mode: 0o755 }),
      rawEntry({ name: 'd/first' }, 'a real directory'),
      rawEntry({ name: 'd', typeflag: '2', linkname: box.sentinel }),
      rawEntry({ name: 'd/secret' }, 'evil through the new link'),
      rawEntry({ name: 'e', typeflag: '2', linkname: '../sentinel' }),
      rawEntry({ name: 'e/secret' }, 'evil through the old link'),
      rawEntry({ name: 'e/', typeflag: '5', mode: 0o755 }),
      rawEntry({ name: 'e/secret' }, 'a real directory again'),
    );
    await apply(layer, target);
    expect(await readlink(path.join(target, 'd'))).toBe(box.sentinel);
    expect(await readFile(path.join(target, box.sentinel, 'secret'), 'utf8')).toBe('evil through the new link');
    expect(await readFile(path.join(target, 'sentinel/secret'), 'utf8')).toBe('evil through the old link');
    expect(await readFile(path.join(target, 'e/secret'), 'utf8')).toBe('a real directory again');
    await box.expectOutsideUntouched();
  });

  it('skips device nodes when not root (run as uid 65534), and never creates one outside', async (context) => {
    const box = await sandbox(['target', 'input']);
    const target = box.dir('target');
    const layerFile = path.join(box.dir('input'), 'layer.tar');
    const child = fileURLToPath(new URL('./apply-layer-child.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));
    const layer = tarOf(
      rawEntry({ name: 'dev/sda', typeflag: '4', devMajor: 8, devMinor: 0, mode: 0o666 }),
      rawEntry({ name: 'dev/mem', typeflag: '3', devMajor: 1, devMinor: 1, mode: 0o666 }),
      rawEntry({ name: '../sentinel/kmsg', typeflag: '3', devMajor: 1, devMinor: 11 }),
      rawEntry({ name: 'ok' }, 'fine'),
    );
    const noEscape = tarOf(layer.subarray(0, 1024), rawEntry({ name: 'ok' }, 'fine'));
    await writeFile(layerFile, noEscape);
    const unprivileged = ['--reuid=65534', '--regid=65534', '--clear-groups'];
    if (process.getuid?.() === 0) {
      await chown(target, 65534, 65534);
      await chmod(box.base, 0o755);
      await chmod(layerFile, 0o644);
    }
    const probe = spawnSync('setpriv', [...unprivileged, 'true']);
    if (process.getuid?.() !== 0 || probe.status !== 0) {
      context.skip(`cannot switch to uid 65534 with setpriv (${process.getuid?.() === 0 ? String(probe.error ?? probe.stderr) : 'not root'}); the non-root device check needs it`);
    }
    const run = spawnSync('setpriv', [...unprivileged, process.execPath, tsx, child, layerFile, target], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, HOME: '/tmp' } });
    expect(run.status, run.stderr).toBe(0);
    const outcome = JSON.parse(run.stdout) as { uid: number; stats?: { skipped: number; devices: number; files: number } };
    expect(outcome).toMatchObject({ uid: 65534, stats: { skipped: 2, devices: 0, files: 1 } });
    expect(await listTree(target)).toEqual(['ok']);

    // The hostile name is refused before the entry's type is even looked at.
    await writeFile(layerFile, layer);
    const hostile = spawnSync('setpriv', [...unprivileged, process.execPath, tsx, child, layerFile, target], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, HOME: '/tmp' } });
    expect(JSON.parse(hostile.stdout)).toMatchObject({ uid: 65534, error: { typed: true, code: 'LAYER_UNSAFE_PATH', message: expect.stringContaining('../sentinel/kmsg') } });
    await box.expectOutsideUntouched();
  });
});

/** An endless stream: the header blocks, then zeros for as long as the reader asks, counting what it took. */
function endless(head: Buffer): { stream: AsyncIterable<Buffer>; pulled: () => number } {
  let pulled = 0;
  const zeros = Buffer.alloc(64 * 1024);
  async function* stream(): AsyncGenerator<Buffer> {
    pulled += head.length;
    yield head;
    for (;;) {
      pulled += zeros.length;
      yield zeros;
    }
  }
  return { stream: stream(), pulled: () => pulled };
}

describe('layer tarballs: huge headers', () => {
  const MB = 1024 * 1024;

  for (const [kind, typeflag] of [['a PAX header', 'x'], ['a global PAX header', 'g'], ['a GNU long name', 'L'], ['a GNU long link name', 'K']] as const) {
    it(`refuses ${kind} claiming 100 MB before reading it`, async () => {
      const box = await layerSandbox();
      const input = endless(rawHeader({ name: 'PaxHeaders/huge', typeflag, size: 100 * MB }));
      const { ms, outcome } = await timed(() => applyLayer(input.stream, box.dir('target')));
      expect(outcome).toMatchObject({ error: expect.any(CorruptLayerError) });
      const error = (outcome as { error: CorruptLayerError }).error;
      expect(error).toMatchObject({ code: 'LAYER_CORRUPT', message: expect.stringMatching(/header of 104857600 bytes exceeds 1048576/) });
      expect(input.pulled()).toBeLessThan(2 * MB);
      expect(ms).toBeLessThan(10_000);
      await box.expectOutsideUntouched();
    });
  }

  it('refuses a 1 MiB name (in a PAX path record) with bounded memory and time', async () => {
    const box = await layerSandbox();
    const heapBefore = process.memoryUsage().heapUsed;
    const layer = tarOf(paxEntry({ path: 'n'.repeat(MB) }), rawEntry({ name: 'short' }, 'x'));
    const { ms, outcome } = await timed(() => apply(layer, box.dir('target')));
    expect((outcome as { error: unknown }).error).toMatchObject({ code: 'LAYER_CORRUPT', message: expect.stringMatching(/exceeds 1048576/) });
    expect(ms).toBeLessThan(10_000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * MB);
    await box.expectOutsideUntouched();
  });

  it('refuses a 1,000,000-byte name under the header limit (GNU long name) with a typed error, not ENAMETOOLONG', async () => {
    const box = await layerSandbox();
    for (const name of ['n'.repeat(1_000_000), `${'dir/'.repeat(2000)}file`]) {
      const layer = tarOf(rawEntry({ name: '././@LongLink', typeflag: 'L' }, `${name}\0`), rawEntry({ name: 'short' }, 'x'));
      const error = await expectRefused(apply(layer, box.dir('target')), { type: UnsafeLayerPathError, code: 'LAYER_UNSAFE_PATH', mentions: /too long/ });
      expect(error.message.length).toBeLessThan(1000);
    }
    expect(await listTree(box.dir('target'))).toEqual([]);
    await box.expectOutsideUntouched();
  });

  it('stops at the end of a file entry claiming 64 GiB of content with a typed error', async () => {
    const box = await layerSandbox();
    const layer = Buffer.concat([rawHeader({ name: 'big', size: 64 * 1024 * MB }), Buffer.alloc(4096)]);
    const { ms, outcome } = await timed(() => apply(layer, box.dir('target')));
    expect((outcome as { error: unknown }).error).toBeInstanceOf(LayerError);
    expect((outcome as { error: unknown }).error).toMatchObject({ code: 'LAYER_CORRUPT', message: expect.stringMatching(/unexpected end of data/) });
    expect(ms).toBeLessThan(10_000);
    await box.expectOutsideUntouched();
  });
});
