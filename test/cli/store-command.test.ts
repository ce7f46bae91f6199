import { existsSync } from 'node:fs';
import { chmod, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContentStore } from '../../src/cache/index.js';
import { runCli } from '../support/run-cli.js';
import { makeTestImage, type TestImage } from '../fixtures/layers.js';
import { tempDirs } from '../fixtures/temp-dir.js';

const tempDir = tempDirs('cli-store');

/** A real store: an image kept by a root, plus a blob nothing refers to. */
async function makeStore(): Promise<{ dir: string; store: ContentStore; image: TestImage; loose: string }> {
  const dir = path.join(await tempDir(), 'store');
  const store = await ContentStore.open({ root: dir, durable: false });
  const image = await makeTestImage({ layers: [[{ type: 'file', path: 'etc/motd', content: 'hello\n' }]] });
  await store.importImage(image.blobs, image.manifest.descriptor);
  await store.setRoot('image', 'example:latest', image.manifest.descriptor);
  const loose = (await store.putBlob(Buffer.from('loose'))).digest;
  await store.close();
  return { dir, store, image, loose };
}

describe('build-image store verify', () => {
  it('exits 0 when every blob matches its digest and nothing dangles', async () => {
    const { dir } = await makeStore();
    const result = await runCli(['store', 'verify', '--cache-dir', dir]);
    expect(result).toEqual({ code: 0, stdout: expect.stringMatching(new RegExp(`^ok: 4 blobs \\(\\d+ bytes\\) and 0 snapshots in ${dir}\\n$`)), stderr: '' });
  });

  it('exits 1 and names a corrupted blob', async () => {
    const { dir, store, image } = await makeStore();
    const layer = image.layers[0].descriptor.digest;
    const file = store.blobPath(layer);
    await chmod(file, 0o644);
    await writeFile(file, 'not the layer any more');
    const result = await runCli(['store', 'verify', '--cache-dir', dir]);
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^corrupt blob ${layer}: its content hashes to sha256:[0-9a-f]{64} \\(${file}\\)$`));
    expect(lines[1]).toMatch(/^1 problem found checking 4 blobs/);
  });

  it('reports every problem: a missing blob a root refers to, a stray file, a leftover of a dead process', async () => {
    const { dir, store, image } = await makeStore();
    await rm(store.blobPath(image.config.descriptor.digest));
    const stray = path.join(dir, 'blobs', 'sha256', 'not-a-digest');
    await writeFile(stray, 'x');
    // A copy of a stale lock, as a lock takeover leaves it.
    const leftover = path.join(dir, 'lock.stale-1-abcd');
    await writeFile(leftover, '{}');
    const result = await runCli(['store', 'verify', '--cache-dir', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `missing blob ${image.config.descriptor.digest}, referenced by ${image.manifest.descriptor.digest} (from root image/example:latest)\n`,
    );
    expect(result.stdout).toContain(`stray entry ${stray} `);
    expect(result.stdout).toContain(`leftover ${leftover} (of a process that is gone; prune removes it)\n`);
    expect(result.stdout).toMatch(/^3 problems found checking 3 blobs/m);

    // prune clears the leftover (not the stray, nor the missing blob).
    expect((await runCli(['prune', '--cache-dir', dir])).stdout).toContain(`removed leftover ${leftover}\n`);
    expect((await runCli(['store', 'verify', '--cache-dir', dir])).stdout).toMatch(/^2 problems found/m);
  });

  it('says so when there is no store, without creating one', async () => {
    const missing = path.join(await tempDir(), 'none');
    expect(await runCli(['store', 'verify', '--cache-dir', missing])).toEqual({ code: 0, stdout: `no content store at ${missing}: nothing to verify\n`, stderr: '' });
    expect(existsSync(missing)).toBe(false);
  });

  it('rejects a missing or unknown subcommand and unknown options', async () => {
    expect((await runCli(['store'])).code).toBe(2);
    const unknown = await runCli(['store', 'gc']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("build-image: unknown store command 'gc' (expected verify)\n");
    expect((await runCli(['store', 'verify', '--repair'])).code).toBe(2);
    const help = await runCli(['store', 'verify', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: build-image store verify [--cache-dir DIR]');
  });
});
