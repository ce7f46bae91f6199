/**
 * Build contexts whose symlinks point outside: COPY and ADD refuse to follow them (CONTEXT_SYMLINK_ESCAPE), a bind
 * mount refuses them as its source, and copying or binding the whole context carries the links as links, so no byte
 * of what they point at reaches a layer.
 */
import { readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BuildStepError, build, type BuildOptions } from '../../src/builder/index.js';
import { busyboxImage } from '../fixtures/busybox-image.js';
import { which } from '../fixtures/tools.js';
import { expectRefused, useSandboxes, type Sandbox } from './support.js';

const sandbox = useSandboxes('context');
const SECRET = 'host secret';

/** A context with links to the sentinel: absolute, relative climbing out, and a directory link. */
async function hostileContext(dockerfile: string): Promise<Sandbox> {
  const box = await sandbox(['context', 'cache', 'out']);
  const context = box.dir('context');
  await writeFile(path.join(context, 'Dockerfile'), dockerfile);
  await writeFile(path.join(context, 'ok.txt'), 'inside\n');
  await symlink(path.join(box.sentinel, 'secret'), path.join(context, 'abs-link'));
  await symlink('../sentinel/secret', path.join(context, 'rel-link'));
  await symlink('../sentinel', path.join(context, 'dir-link'));
  return box;
}

function buildIn(box: Sandbox, extra: Partial<BuildOptions> = {}): Promise<unknown> {
  return build({ context: box.dir('context'), cacheDir: box.dir('cache'), outputs: [{ type: 'oci-layout', dest: box.dir('out') }], ...extra });
}

/** Whether any blob of the output layout (layers are gzip: checked after gunzip by the test helper) holds the secret. */
async function outputHolds(box: Sandbox, text: string): Promise<boolean> {
  const { gunzipSync } = await import('node:zlib');
  const blobs = path.join(box.dir('out'), 'blobs', 'sha256');
  for (const name of await readdir(blobs)) {
    const bytes = await readFile(path.join(blobs, name));
    const plain = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
    if (plain.includes(text)) return true;
  }
  return false;
}

describe('context symlinks that point outside', () => {
  for (const instruction of ['COPY', 'ADD'] as const) {
    it(`${instruction} refuses to follow an absolute, a climbing and a directory symlink out of the context`, async () => {
      for (const [source, link] of [['abs-link', 'abs-link'], ['rel-link', 'rel-link'], ['dir-link/secret', 'dir-link'], ['dir-link/etc/passwd', 'dir-link']]) {
        const box = await hostileContext(`FROM scratch\n${instruction} ${source} /stolen\n`);
        const error = await expectRefused(buildIn(box), { type: BuildStepError, code: 'CONTEXT_SYMLINK_ESCAPE', mentions: `refusing to follow symlink '${link}'` });
        expect(error.message).toMatch(new RegExp(`^Dockerfile:2:1: ${instruction} `));
        await box.expectOutsideUntouched();
      }
    });

    it(`${instruction} of the whole context stores the links as links, never the outside content`, async () => {
      const box = await hostileContext(`FROM scratch\n${instruction} . /ctx/\n`);
      await buildIn(box);
      expect(await outputHolds(box, 'inside\n')).toBe(true);
      expect(await outputHolds(box, SECRET)).toBe(false);
      await box.expectOutsideUntouched();
    });
  }

  it('refuses a RUN bind mount whose source is a symlink out of the context', async () => {
    const box = await hostileContext('FROM scratch\nRUN --mount=type=bind,source=dir-link,target=/m cat /m/secret\n');
    await expectRefused(buildIn(box), { type: BuildStepError, code: 'CONTEXT_SYMLINK_ESCAPE', mentions: "refusing to follow symlink 'dir-link'" });
    await box.expectOutsideUntouched();
  });

  it('binds the whole context with its links unresolved on the host: inside the container they lead into the image', async (context) => {
    const busybox = await busyboxImage();
    if (!busybox || process.getuid?.() !== 0 || which('crun') === undefined) {
      context.skip('needs root, crun and the busybox test image (busybox-static, umoci)');
      return;
    }
    const box = await hostileContext(
      [
        'FROM busybox',
        // Each link resolves inside the container's root, where the sentinel path does not exist.
        'RUN --mount=type=bind,target=/ctx sh -c \'for l in abs-link rel-link dir-link/secret; do cat /ctx/$l 2>/dev/null || echo "$l: not found"; done > /result; cat /ctx/ok.txt >> /result\'',
        '',
      ].join('\n'),
    );
    await buildIn(box, { buildContexts: { busybox: busybox.reference }, executor: 'crun' });
    expect(await outputHolds(box, 'abs-link: not found\nrel-link: not found\ndir-link/secret: not found\ninside\n')).toBe(true);
    expect(await outputHolds(box, SECRET)).toBe(false);
    await box.expectOutsideUntouched();
  });
});
