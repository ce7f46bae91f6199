/**
 * The benchmark's image, made with build-image itself (dist/): FROM scratch and four COPY layers of generated
 * files, about 280 MB of files and 200 MB of gzip blobs: pseudo-random bytes (incompressible) and text (about 3:1).
 * The files are seeded, and SOURCE_DATE_EPOCH is fixed, so every run makes the same image. Kept under os.tmpdir()
 * between runs; the content store it was built in holds it too (that is what our push reads).
 */
import { createCipheriv, createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const MB = 1_000_000;
const version = 'v1';

/** Layer directories: `random` MB of pseudo-random bytes in files of `randomFile` MB, `text` MB of text in files of `textFile` KB. */
const layers = [
  { name: 'l1', random: 60, randomFile: 10, text: 10, textFile: 100 },
  { name: 'l2', random: 0, randomFile: 1, text: 40, textFile: 50 },
  { name: 'l3', random: 60, randomFile: 4, text: 20, textFile: 200 },
  { name: 'l4', random: 50, randomFile: 25, text: 20, textFile: 20 },
];

/** Deterministic pseudo-random bytes: AES-128-CTR over zeros, keyed by the file's name. */
function randomBytesFor(name, size) {
  const key = createHash('sha256').update(name).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

const words = ['layer', 'registry', 'manifest', 'digest', 'blob', 'push', 'pull', 'image', 'tag', 'index', 'config', 'upload', 'mount', 'chunk', 'stream', 'cache', 'store', 'verify'];

/** Text that gzip compresses about 3:1: words chosen by a small seeded generator, with numbers. */
function textFor(name, size) {
  let state = createHash('sha256').update(name).digest().readUInt32LE(0) | 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  const parts = [];
  let length = 0;
  while (length < size) {
    const line = `${words[next() % words.length]} ${next() % 100000} ${words[next() % words.length]}-${(next() % 65536).toString(16)} ${words[next() % words.length]}\n`;
    parts.push(line);
    length += line.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

async function writeContext(dir) {
  const lines = ['FROM scratch'];
  for (const layer of layers) {
    const layerDir = path.join(dir, layer.name);
    await mkdir(layerDir, { recursive: true });
    for (let i = 0; i * layer.randomFile < layer.random; i++) {
      const name = `${layer.name}/random-${i}.bin`;
      await writeFile(path.join(dir, name), randomBytesFor(name, Math.min(layer.randomFile, layer.random - i * layer.randomFile) * MB));
    }
    const textBytes = layer.text * MB;
    for (let i = 0; i * layer.textFile * 1000 < textBytes; i++) {
      const name = `${layer.name}/text-${i}.txt`;
      await writeFile(path.join(dir, name), textFor(name, Math.min(layer.textFile * 1000, textBytes - i * layer.textFile * 1000)));
    }
    lines.push(`COPY ${layer.name}/ /data/${layer.name}/`);
  }
  await writeFile(path.join(dir, 'Dockerfile'), `${lines.join('\n')}\n`);
}

/**
 * The image as `{ store, layout, tag, digest, blobBytes, fileBytes, layers }`: `store` the content store that
 * holds it (as a root), `layout` an OCI layout of it (tag `bench`). `dist` is the compiled library's directory.
 */
export async function benchImage(dist) {
  const home = path.join(os.tmpdir(), `build-image-bench-registry-${version}`);
  const done = path.join(home, 'image.json');
  if (existsSync(done)) return JSON.parse(await readFile(done, 'utf8'));
  await rm(home, { recursive: true, force: true });
  const context = path.join(home, 'context');
  const store = path.join(home, 'store');
  const layout = path.join(home, 'layout');
  await writeContext(context);
  const { build } = await import(path.join(dist, 'index.js'));
  const result = await build({ context, cacheDir: store, sourceDateEpoch: 1_700_000_000, tags: ['bench:bench'], outputs: [{ type: 'oci-layout', dest: layout }] });
  const image = {
    store,
    layout,
    tag: 'bench',
    digest: result.digest,
    blobBytes: result.manifest.layers.reduce((sum, layer) => sum + layer.size, 0) + result.manifest.config.size,
    fileBytes: layers.reduce((sum, layer) => sum + (layer.random + layer.text) * MB, 0),
    layers: result.manifest.layers.length,
  };
  await rm(context, { recursive: true, force: true });
  await writeFile(done, `${JSON.stringify(image)}\n`);
  return image;
}
