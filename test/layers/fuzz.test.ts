/**
 * Fuzzing the layer reader and applier: seeded mutations of small valid layers (flipped bytes, truncation, duplicated
 * or spliced header blocks, random PAX records, rewritten type and size fields, damaged gzip) go through
 * readTarEntries and applyLayer. The only acceptable outcomes are success or a LayerError, and nothing may appear
 * outside the target directory. FUZZ_SEED and FUZZ_COUNT choose the run (see docs/security.md for long runs).
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { applyLayer, LayerError, readTarEntries } from '../../src/layers/index.js';
import { Sandbox } from '../security/support.js';
import { paxEntry, paxRecords, rawEntry, rawHeader, tarOf, writeChecksum } from '../security/tar-blocks.js';

const seed = Number(process.env.FUZZ_SEED ?? 0x1a7e5);
const count = Number(process.env.FUZZ_COUNT ?? 2000);
const BLOCK = 512;

/** A seeded generator (xorshift32 over a splitmix-style scrambled seed), so a case replays from its seed alone. */
function generator(caseSeed: number): { next: () => number; pick: (n: number) => number; chance: (p: number) => boolean } {
  let state = Math.imul((caseSeed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
  return { next, pick: (n) => Math.floor(next() * n), chance: (p) => next() < p };
}

type Random = ReturnType<typeof generator>;

/**
 * Valid small layers covering every entry kind the reader knows. Fifos, device nodes and xattrs cost a process
 * each (mkfifo, mknod, setfattr), so the seed holding them is drawn less often.
 */
const seeds: Buffer[] = [
  tarOf(
    rawEntry({ name: 'etc/', typeflag: '5', mode: 0o755 }),
    rawEntry({ name: 'etc/passwd' }, 'root:x:0:0::/root:/bin/sh\n'),
    rawEntry({ name: 'bin/sh', mode: 0o755 }, '#!/bin/busybox\n'),
    rawEntry({ name: 'bin/ash', typeflag: '1', linkname: 'bin/sh' }),
    rawEntry({ name: 'lib', typeflag: '2', linkname: 'usr/lib' }),
    rawEntry({ name: 'lib/libc.so' }, 'elf'),
  ),
  tarOf(
    paxEntry({ path: `deep/${'long-name-'.repeat(20)}`, mtime: '1700000000.5' }),
    rawEntry({ name: 'ignored-by-pax' }, 'content with a PAX name'),
    rawEntry({ name: '././@LongLink', typeflag: 'L' }, `${'gnu/'.repeat(40)}name\0`),
    rawEntry({ name: 'short' }, 'gnu long name'),
    paxEntry({ comment: 'global' }, 'g'),
    rawEntry({ name: 'up', typeflag: '2', linkname: '../../../..' }),
    rawEntry({ name: 'up/escaped' }, 'resolved inside'),
  ),
  tarOf(
    rawEntry({ name: 'd/', typeflag: '5' }),
    rawEntry({ name: 'd/a' }, 'a'),
    rawEntry({ name: 'd/.wh.a' }),
    rawEntry({ name: 'd/.wh..wh..opq' }),
    rawEntry({ name: 'abs', typeflag: '2', linkname: '/' }),
    rawEntry({ name: 'abs/etc/x' }, 'x'),
    rawEntry({ name: 'd', typeflag: '2', linkname: '/tmp' }),
    rawEntry({ name: 'd/y' }, 'y'),
  ),
  tarOf(
    paxEntry({ 'SCHILY.xattr.user.note': Buffer.from([0xff, 0, 0x80]) }),
    rawEntry({ name: 'noted' }, 'with an xattr'),
    rawEntry({ name: 'run/fifo', typeflag: '6', mode: 0o600 }),
    rawEntry({ name: 'dev/null', typeflag: '3', devMajor: 1, devMinor: 3, mode: 0o666 }),
  ),
];
const specialSeed = seeds.length - 1;

const paxKeys = ['path', 'linkpath', 'size', 'uid', 'gid', 'mtime', 'SCHILY.xattr.user.x', 'SCHILY.xattr.security.capability', 'GNU.sparse.size', 'unknown.key', ''];
const paxValues = ['', '0', '-1', '1e9', '99999999999999999999', '..', '../../x', '/etc/passwd', 'a'.repeat(300), '\u0000', 'é', '12.5', ' '];
const typeflags = ['0', '1', '2', '3', '4', '5', '6', '7', 'x', 'g', 'L', 'K', 'S', 'V', '\0', 'Z'];

function headerOffsets(tar: Buffer): number[] {
  const offsets: number[] = [];
  for (let offset = 0; offset + BLOCK <= tar.length; offset += BLOCK) if (tar.subarray(offset + 257, offset + 262).toString('latin1') === 'ustar') offsets.push(offset);
  return offsets;
}

function mutate(original: Buffer, random: Random): Buffer {
  let tar = Buffer.from(original);
  const edits = 1 + random.pick(4);
  for (let edit = 0; edit < edits; edit++) {
    const headers = headerOffsets(tar);
    const header = headers.length > 0 ? headers[random.pick(headers.length)] : 0;
    switch (random.pick(8)) {
      case 0: {
        // Flip bytes anywhere; half the time inside a header with its checksum fixed, so the parser sees them.
        const inHeader = random.chance(0.5) && tar.length >= header + BLOCK;
        for (let flips = 1 + random.pick(4); flips > 0; flips--) {
          const at = inHeader ? header + random.pick(BLOCK) : random.pick(tar.length);
          tar[at] ^= 1 << random.pick(8);
        }
        if (inHeader) writeChecksum(tar.subarray(header, header + BLOCK));
        break;
      }
      case 1:
        tar = tar.subarray(0, random.pick(tar.length + 1));
        break;
      case 2: {
        const block = tar.subarray(header, header + BLOCK);
        tar = Buffer.concat([tar.subarray(0, header), block, tar.subarray(header)]);
        break;
      }
      case 3: {
        const records: Record<string, string> = {};
        for (let n = 1 + random.pick(3); n > 0; n--) records[paxKeys[random.pick(paxKeys.length)]] = paxValues[random.pick(paxValues.length)];
        const pax = random.chance(0.8) ? paxEntry(records, random.chance(0.8) ? 'x' : 'g') : rawEntry({ name: 'PaxHeaders/raw', typeflag: 'x' }, corruptRecords(records, random));
        tar = Buffer.concat([tar.subarray(0, header), pax, tar.subarray(header)]);
        break;
      }
      case 4: {
        if (tar.length < header + BLOCK) break;
        tar.write(typeflags[random.pick(typeflags.length)], header + 156, 1, 'latin1');
        writeChecksum(tar.subarray(header, header + BLOCK));
        break;
      }
      case 5: {
        if (tar.length < header + BLOCK) break;
        const sizes = [0, 1, 511, 512, 513, 4096, 8 ** 11 - 1, random.pick(100_000)];
        const rewritten = rawHeader({ name: 'x', size: sizes[random.pick(sizes.length)] });
        rewritten.copy(tar, header + 124, 124, 136);
        writeChecksum(tar.subarray(header, header + BLOCK));
        break;
      }
      case 6: {
        const other = seeds[random.pick(seeds.length)];
        const from = random.pick(Math.max(1, other.length / BLOCK)) * BLOCK;
        const splice = other.subarray(from, from + BLOCK * (1 + random.pick(4)));
        const at = random.pick(Math.floor(tar.length / BLOCK) + 1) * BLOCK;
        tar = Buffer.concat([tar.subarray(0, at), splice, tar.subarray(at)]);
        break;
      }
      default: {
        if (tar.length < header + BLOCK) break;
        const names = ['..', '../x', '/abs', 'a/../../b', '.wh...', '.wh..wh..opq', 'x/.wh.', '\0', '', 'lib/../lib', 'a'.repeat(99)];
        tar.fill(0, header, header + 100);
        tar.write(names[random.pick(names.length)], header, 100, 'utf8');
        if (random.chance(0.5)) {
          tar.fill(0, header + 157, header + 257);
          tar.write(names[random.pick(names.length)], header + 157, 100, 'utf8');
        }
        writeChecksum(tar.subarray(header, header + BLOCK));
      }
    }
  }
  return tar;
}

/** PAX records with a lying length field or a missing '='. */
function corruptRecords(records: Record<string, string>, random: Random): Buffer {
  const body = paxRecords(records);
  const at = random.pick(Math.max(1, body.length));
  body[at] = [0x20, 0x3d, 0x0a, 0x39, 0x00][random.pick(5)];
  return body;
}

/** The case's input: a mutated tar, sometimes gzip-compressed and then damaged, cut into random chunks. */
function caseInput(index: number): { bytes: Buffer; chunks: Buffer[] } {
  const random = generator(seed + Math.imul(index, 0x9e3779b1));
  let bytes = mutate(seeds[random.chance(0.04) ? specialSeed : random.pick(specialSeed)], random);
  if (random.chance(0.15)) {
    bytes = gzipSync(bytes);
    if (random.chance(0.5)) bytes[10 + random.pick(Math.max(1, bytes.length - 10))] ^= 0xff;
  }
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const size = 1 + random.pick(random.chance(0.5) ? 700 : 5000);
    chunks.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return { bytes, chunks };
}

function describeFailure(index: number, stage: string, error: unknown): string {
  return `case ${index} (FUZZ_SEED=${seed}) failed in ${stage} with an untyped error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
}

async function readAll(chunks: Buffer[]): Promise<void> {
  for await (const entry of readTarEntries(Readable.from(chunks))) for await (const chunk of entry.body) void chunk;
}

const bases: string[] = [];
afterAll(async () => {
  await Promise.all(bases.map((base) => rm(base, { recursive: true, force: true })));
});

describe(`layer reader and applier fuzzing (FUZZ_SEED=${seed}, FUZZ_COUNT=${count})`, () => {
  it('gives success or a LayerError on every mutated layer, and writes nothing outside the target', { timeout: Math.max(120_000, count * 100) }, async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'build-image-layer-fuzz-'));
    bases.push(base);
    const box = await Sandbox.create(base, ['target']);
    const target = box.dir('target');
    const outcomes = { ok: 0, typed: 0 };
    for (let index = 0; index < count; index++) {
      const { chunks } = caseInput(index);
      try {
        await readAll(chunks);
      } catch (error) {
        if (!(error instanceof LayerError)) expect.fail(describeFailure(index, 'readTarEntries', error));
      }
      try {
        // setfattr is a process per layer: only one case in ten sets xattrs.
        await applyLayer(Readable.from(chunks), target, { xattrs: index % 10 === 0 });
        outcomes.ok++;
      } catch (error) {
        if (!(error instanceof LayerError)) expect.fail(describeFailure(index, 'applyLayer', error));
        expect(error.code).toMatch(/^LAYER_[A-Z_]+$/);
        outcomes.typed++;
      }
      if (index % 25 === 24 || index === count - 1) {
        await box.expectOutsideUntouched();
        await rm(target, { recursive: true, force: true });
        await mkdir(target);
      }
    }
    expect(outcomes.ok + outcomes.typed).toBe(count);
    // The mutations are meant to hit both paths; a corpus that only ever fails would test little.
    expect(outcomes.ok).toBeGreaterThan(count / 20);
    expect(outcomes.typed).toBeGreaterThan(count / 20);
    expect(await readdir(base)).toEqual(['sentinel', 'target']);
  });
});
