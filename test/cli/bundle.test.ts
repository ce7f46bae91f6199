import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { busyboxImage } from '../fixtures/busybox-image.js';
import { writeTree } from '../fixtures/file-tree.js';
import { tempDirs } from '../fixtures/temp-dir.js';
import { run, toolsAvailable } from '../fixtures/tools.js';
import { distBuilt, runCliProcess } from '../support/cli-process.js';
import { repoRoot } from '../support/shared-data.js';

/**
 * The CLI as npm runs it: bin/build-image.js, which loads dist/cli/bundle.mjs and, on first use, its chunks
 * (dist/cli/bundle-*.mjs: RUN execution, layers, ADD, registry...). One build that needs every chunk a local build
 * can load: RUN in the runtime, ADD of a local tar archive, COPY, and all three file outputs, checked by skopeo.
 * And a rebuild with nothing changed, which loads none of them, nor chevrotain.
 */
const haveTools = toolsAvailable('bundled CLI end to end', ['skopeo', 'umoci', 'crun', 'tar'], ['skopeo', 'umoci', 'crun', 'tar']);
const busybox = haveTools ? await busyboxImage() : undefined;
const newDir = tempDirs('cli-bundle');

if (!distBuilt && process.env.CI !== 'true') console.warn('\n*** SKIPPED the bundled CLI end to end: dist/ is not built (npm run build) ***\n');

describe.runIf((distBuilt || process.env.CI === 'true') && busybox !== undefined)('bin/build-image.js (the bundled CLI)', () => {
  it('runs RUN, ADD of an archive and COPY, and writes an OCI layout, an OCI archive and a docker archive', async () => {
    const work = await newDir();
    const context = writeTree(path.join(work, 'context'), { 'payload/inside.txt': 'from the archive\n' });
    execFileSync('tar', ['-czf', path.join(context, 'payload.tar.gz'), '-C', context, 'payload']);
    writeTree(context, {
      'note.txt': 'copied\n',
      Dockerfile: ['FROM base', 'ADD payload.tar.gz /opt/', 'COPY note.txt /opt/', 'RUN cat /opt/payload/inside.txt /opt/note.txt > /opt/both.txt', ''].join('\n'),
    });
    const outputs = ['-o', `type=oci,dest=${path.join(work, 'layout')},tar=false`, '-o', `type=oci,dest=${path.join(work, 'image.oci.tar')}`, '-o', `type=docker,dest=${path.join(work, 'image.docker.tar')}`];
    const args = ['-q', '--cache-dir', path.join(work, 'cache'), '--build-context', `base=${busybox!.reference}`, '-t', 'bundled:test', ...outputs, context];

    const first = await runCliProcess(args, { cwd: work });
    expect(first.code, first.stderr).toBe(0);
    const digest = first.stdout.trim();
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const reference of [`oci:${path.join(work, 'layout')}:test`, `oci-archive:${path.join(work, 'image.oci.tar')}`, `docker-archive:${path.join(work, 'image.docker.tar')}`]) {
      const inspected = JSON.parse((await run('skopeo', ['inspect', reference])).stdout) as { Layers: string[] };
      // busybox's layer, ADD's, COPY's, RUN's.
      expect(inspected.Layers, reference).toHaveLength(4);
    }
    const unpacked = path.join(work, 'unpacked');
    await run('umoci', ['unpack', '--image', `${path.join(work, 'layout')}:test`, unpacked]);
    expect(readdirSync(path.join(unpacked, 'rootfs/opt')).sort()).toEqual(['both.txt', 'note.txt', 'payload']);

  });

  it('rebuilds a cached RUN and COPY without loading chevrotain or the chunks that run, write or fetch anything', async () => {
    const work = await newDir();
    const context = writeTree(path.join(work, 'context'), {
      'note.txt': 'copied\n',
      Dockerfile: ['FROM base', 'COPY note.txt /opt/', 'RUN cp /opt/note.txt /opt/again.txt', ''].join('\n'),
    });
    const args = ['-q', '--cache-dir', path.join(work, 'cache'), '--build-context', `base=${busybox!.reference}`, '-o', `type=oci,dest=${path.join(work, 'layout')},tar=false`, context];
    const first = await runCliProcess(args, { cwd: work });
    expect(first.code, first.stderr).toBe(0);

    // The rebuild runs from a copy of the package without node_modules (so without chevrotain: the parse is
    // remembered) and without the chunks a fully cached build must not load; loading any of them would fail it.
    const lean = path.join(work, 'package');
    await cp(path.join(repoRoot, 'bin'), path.join(lean, 'bin'), { recursive: true });
    await cp(path.join(repoRoot, 'dist/cli'), path.join(lean, 'dist/cli'), { recursive: true });
    await cp(path.join(repoRoot, 'package.json'), path.join(lean, 'package.json'));
    const notNeeded = readdirSync(path.join(lean, 'dist/cli')).filter((name) => /^bundle-(add|copy-layer|executor|layers|node-http|registry|remote-cache|run-step)-/.test(name));
    expect(notNeeded).toHaveLength(8);
    for (const name of notNeeded) await rm(path.join(lean, 'dist/cli', name));
    const again = await runCliProcess(args, { cwd: work, entry: path.join(lean, 'bin/build-image.js') });
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(path.join(work, 'cache', 'parse-memo')).filter((name) => name.endsWith('.json'))).toHaveLength(1);
  });
});
