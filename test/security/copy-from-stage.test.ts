/**
 * `COPY --from=stage` of paths that try to leave the stage's root: `..` is refused or stays at the stage root, and
 * symlinks in the stage (to `/`, climbing, or to a host path) are resolved inside the stage root as BuildKit does.
 * What is copied always comes from the stage, never from the host.
 */
import { readFile, symlink, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BuildStepError, build } from '../../src/builder/index.js';
import { listLayer } from '../layers/helpers.js';
import { readLayoutBlob } from '../support/oci-layout.js';
import { expectRefused, useSandboxes, type Sandbox } from './support.js';

const sandbox = useSandboxes('copy-from');
const STAGE_PASSWD = 'stage:x:0:0::/:/bin/false\n';

/**
 * A context for a first stage whose root holds /etc/passwd, a link to `/`, a climbing link, and an absolute link
 * to the sentinel's host path.
 */
async function stageContext(finalSteps: string): Promise<Sandbox> {
  const box = await sandbox(['context', 'cache', 'out']);
  const stage = path.join(box.dir('context'), 'stage');
  await mkdir(path.join(stage, 'etc'), { recursive: true });
  await writeFile(path.join(stage, 'etc', 'passwd'), STAGE_PASSWD);
  await symlink('/', path.join(stage, 'root-link'));
  await symlink('../../../../..', path.join(stage, 'up'));
  await symlink(box.sentinel, path.join(stage, 'host-sentinel'));
  await writeFile(path.join(box.dir('context'), 'Dockerfile'), ['FROM scratch AS stage', 'COPY stage/ /', 'FROM scratch', finalSteps, ''].join('\n'));
  return box;
}

/** The final image's files (every layer's entries, later ones over earlier ones) and their contents. */
async function buildIn(box: Sandbox): Promise<Map<string, string>> {
  const result = await build({ context: box.dir('context'), cacheDir: box.dir('cache'), outputs: [{ type: 'oci-layout', dest: box.dir('out') }] });
  const files = new Map<string, string>();
  for (const layer of result.manifest.layers) {
    const bytes = await readLayoutBlob(box.dir('out'), layer.digest);
    for (const { header, content } of await listLayer(bytes)) files.set(header.name.replace(/\/$/, ''), content.toString('utf8'));
  }
  return files;
}

describe('COPY --from a stage, with paths that try to leave its root', () => {
  it("refuses '../../etc/passwd' with a typed error", async () => {
    for (const source of ['../../etc/passwd', '/../../../etc/passwd', 'etc/../../etc/passwd']) {
      const box = await stageContext(`COPY --from=stage ${source} /p`);
      await expectRefused(buildIn(box), { type: BuildStepError, code: 'CONTEXT_SOURCE_ESCAPE', mentions: /forbidden path outside the build context/ });
      await box.expectOutsideUntouched();
    }
  });

  it('resolves a symlink to / inside the stage: the file copied is the stage one', async () => {
    const box = await stageContext(['COPY --from=stage /root-link/etc/passwd /via-root', 'COPY --from=stage /up/etc/passwd /via-up', 'COPY --from=stage /root-link/root-link/up/etc/ /via-dir/'].join('\n'));
    const hostPasswd = await readFile('/etc/passwd', 'utf8');
    const built = await buildIn(box);
    const copied = [...built].filter(([name]) => name.startsWith('via-'));
    expect(Object.fromEntries(copied)).toEqual({ 'via-root': STAGE_PASSWD, 'via-up': STAGE_PASSWD, 'via-dir': '', 'via-dir/passwd': STAGE_PASSWD });
    expect(hostPasswd).not.toBe(STAGE_PASSWD);
    await box.expectOutsideUntouched();
  });

  it("reads a link to a host path as a path in the stage, where it does not exist: the host's file is not copied", async () => {
    const box = await stageContext('COPY --from=stage /host-sentinel/secret /stolen');
    await expectRefused(buildIn(box), { type: BuildStepError, code: 'CONTEXT_SOURCE_NOT_FOUND', mentions: /not found/ });
    await box.expectOutsideUntouched();
  });
});
