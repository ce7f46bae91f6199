import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../../src/builder/index.js';
import { writeTree } from '../fixtures/file-tree.js';
import { tempDirs } from '../fixtures/temp-dir.js';
import { runCli } from '../support/run-cli.js';
import { buildArgs, mountsMentioning, printedDigest, processesMentioning, runBuildPrerequisites, runCliOrThrow, seededBytes, seededRandom, startCli } from './support.js';

/**
 * Crash consistency: the CLI building an image with COPY and RUN steps is SIGKILLed at seeded points spread over
 * the whole build (after the Nth progress event plus a seeded delay inside the step that follows, so kills land
 * while layers are written, snapshots unpacked, containers run, roots recorded and outputs written). After each
 * kill, `build-image store verify` passes (every blob matches its digest, no root or lease names a missing blob,
 * no leftover temp entry, no mount left under the store), no process of the dead build still runs, and the next
 * build (run in this process, through the library the CLI runs) succeeds with the digest of an uninterrupted build.
 *
 * Every fifth kill hits a build in a fresh store (first-time work: base import, snapshots unpacked); the others
 * hit `--no-cache` builds in one store that earlier kills and builds have filled (work redone over existing blobs
 * and snapshots). BUILD_IMAGE_CRASH_SEED and BUILD_IMAGE_CRASH_POINTS change the seed and the number of kills.
 */
const tempDir = tempDirs('crash');
const seed = Number(process.env.BUILD_IMAGE_CRASH_SEED ?? 20_260_707);
const points = Number(process.env.BUILD_IMAGE_CRASH_POINTS ?? 20);

const dockerfile = [
  'FROM busybox',
  'COPY a.txt /data/',
  'RUN mkdir -p /out && wc -c /data/a.txt > /out/a-size',
  'COPY dir/ /data/dir/',
  'RUN cp -r /data/dir /out/copy && echo two > /out/two',
  'COPY c.bin /data/',
  'RUN rm /data/a.txt && sha256sum /data/c.bin > /out/c.sum',
  '',
].join('\n');

function makeContext(dir: string): string {
  const files: Record<string, string | Buffer> = { Dockerfile: dockerfile, 'a.txt': seededBytes(seed, 64 * 1024).toString('base64'), 'c.bin': seededBytes(seed + 1, 1024 * 1024) };
  for (let index = 0; index < 24; index++) files[`dir/file-${index}.bin`] = seededBytes(seed + 2 + index, 4096 + index * 512);
  return writeTree(dir, files);
}

/** `build-image store verify`, run in this process through the CLI's main(): its stdout, then its stderr. */
async function storeVerify(cacheDir: string): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await runCli(['store', 'verify', '--cache-dir', cacheDir]);
  return { code, output: stdout + stderr };
}

describe('a build killed at any point', () => {
  it(`leaves a store that verifies, and the next build gives the same digest (seed ${seed}, ${points} kills)`, { timeout: 600_000 }, async () => {
    const busybox = await runBuildPrerequisites('crash consistency');
    if (!busybox) return;
    const work = await tempDir();
    const context = makeContext(path.join(work, 'context'));
    const reference = await runCliOrThrow([...buildArgs(context, path.join(work, 'reference-cache'), path.join(work, 'reference-out'), busybox), '--progress=json']);
    const digest = printedDigest(reference.stdout);
    const started = reference.events[0].time;
    // The time from each event to the next in an uninterrupted build: a kill after event N waits up to that long.
    const gaps = reference.events.map((event, index) => (reference.events[index + 1]?.time ?? event.time + 50) - event.time);

    const random = seededRandom(seed);
    const lastAim = reference.events.length - 2;
    // Spread over the build: point i waits for an event in the i-th slice of the events, then a seeded delay.
    // Slices end before the last event (build-done): a kill after it would find the process gone. A kill that
    // comes after the build has ended does not count: a few extra seeded points make up for it.
    const plan = Array.from({ length: points + 5 }, (_, index) => {
      const slice = index < points ? index + random() : random() * points * 0.75;
      const afterEvent = Math.min(lastAim, Math.floor((slice * (lastAim + 1)) / points));
      return { index, afterEvent, delay: Math.floor(random() * gaps[afterEvent]), fresh: index % 5 === 0 };
    });
    const landed: string[] = [];
    let taken = 0;
    // What `store verify` cleaned up after the dead builds (opening the store recovers; verify prints it).
    const recovered = { 'cleaned up': 0, unmounted: 0, 'killed process': 0 };

    // Two lanes at once, each with its own stores and output, to halve the wall time.
    const lane = async (laneIndex: number) => {
      const shared = path.join(work, `shared-cache-${laneIndex}`);
      const output = path.join(work, `out-${laneIndex}`);
      while (landed.length < points && taken < plan.length) {
        const { index, afterEvent, delay, fresh } = plan[taken++];
        const cacheDir = fresh ? path.join(work, `fresh-cache-${index}`) : shared;
        const where = `kill ${index} after event ${afterEvent} (${reference.events[afterEvent].type}, ${reference.events[afterEvent].time - started} ms into the reference build) + ${delay} ms, ${fresh ? 'fresh store' : 'shared store, --no-cache'}`;

        const victim = startCli([...buildArgs(context, cacheDir, output, busybox, fresh ? [] : ['--no-cache']), '--progress=json']);
        await victim.event(afterEvent);
        await new Promise((resolve) => setTimeout(resolve, delay));
        victim.kill();
        const end = await victim.exit;
        if (end.signal === 'SIGKILL') landed.push(where);
        else expect(end.code, `${where}: the build failed before the kill:\n${end.stderr.slice(-3000)}`).toBe(0);

        const verified = await storeVerify(cacheDir);
        // A build killed before it opened the store leaves none: nothing to verify is consistent too.
        expect(verified, where).toMatchObject({ code: 0, output: expect.stringMatching(/^(ok: |no content store at )/m) });
        for (const kind of ['cleaned up', 'unmounted', 'killed process'] as const) recovered[kind] += verified.output.split('\n').filter((line) => line.startsWith(kind)).length;
        expect(await mountsMentioning(cacheDir), where).toEqual([]);
        expect(await processesMentioning(cacheDir), where).toEqual([]);

        // In this process (the library the CLI runs), which saves a Node start per kill.
        const next = await build({ context, cacheDir, buildContexts: { busybox: busybox.reference }, outputs: [{ type: 'oci-layout', dest: output }], sourceDateEpoch: 0 });
        expect(next.digest, `${where}: the next build`).toBe(digest);
      }
      const final = await storeVerify(shared);
      expect(final.code, final.output).toBe(0);
    };
    await Promise.all([lane(0), lane(1)]);
    expect(landed.length, `kills that landed before the build ended:\n${landed.join('\n')}`).toBeGreaterThanOrEqual(points);
    console.info(`crash test: ${landed.length} kills; store verify cleaned up ${recovered['cleaned up']} leftovers, unmounted ${recovered.unmounted} overlays, killed ${recovered['killed process']} orphaned processes`);
    expect(recovered['cleaned up']).toBeGreaterThan(0);
  });

  it('killed while a RUN step runs, its container and overlay are cleaned up by the next store open', { timeout: 120_000 }, async () => {
    const busybox = await runBuildPrerequisites('crash consistency (RUN)');
    if (!busybox) return;
    const work = await tempDir();
    const context = writeTree(path.join(work, 'context'), { Dockerfile: 'FROM busybox\nRUN echo started && sleep 60\n' });
    const cacheDir = path.join(work, 'cache');
    const victim = startCli([...buildArgs(context, cacheDir, path.join(work, 'out'), busybox), '--progress=json']);
    // The RUN's output line: the container runs `sleep 60` in the overlay now.
    for (let seen = 1; !victim.stderrText().includes('"text":"started"') && seen < 500; seen++) await victim.event(seen);
    victim.kill();
    expect((await victim.exit).signal).toBe('SIGKILL');
    // Nothing ties the runtime and its container to the build's life: they outlive it, holding the overlay.
    expect(await processesMentioning(cacheDir)).not.toEqual([]);
    expect(await mountsMentioning(cacheDir)).not.toEqual([]);

    const verified = await storeVerify(cacheDir);
    expect(verified.code, verified.output).toBe(0);
    expect(verified.output).toMatch(/^killed process \d+/m);
    expect(verified.output).toMatch(/^unmounted .*\/merged/m);
    expect(await processesMentioning(cacheDir)).toEqual([]);
    expect(await mountsMentioning(cacheDir)).toEqual([]);
  });
});
