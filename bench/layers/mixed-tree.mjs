/**
 * A deterministic tree of mixed files for the layer benchmarks: a few thousand small files (bytes to 64 KiB) and
 * large ones (64 KiB to 8 MiB) up to the requested total, each either text (compressible: lines of words, about
 * 3:1 with gzip), random bytes (incompressible), or "binary-like" (blocks of text, random bytes and zeros in turn).
 * The same seed gives the same tree.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';

const MiB = 1024 * 1024;
const SMALL_FILES = 3000;
const SMALL_MAX = 64 * 1024;
const LARGE_MAX = 8 * MiB;
const FILES_PER_DIR = 40;

/** mulberry32: a small seeded PRNG, enough for sizes and choices. */
function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A size between min and max, log-uniformly distributed. */
function logUniform(random, min, max) {
  return Math.round(Math.exp(Math.log(min) + random() * (Math.log(max) - Math.log(min))));
}

/** Pseudo-random bytes from AES-CTR (fast and seeded). */
function randomStream(seed) {
  const key = createHash('sha256').update(`bench-random-${seed}`).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return (length) => cipher.update(Buffer.alloc(length));
}

/** A pool of text (lines of words from a vocabulary, with numbers): files take slices of it at random offsets. */
function textPool(random, size) {
  const syllables = ['ka', 'lo', 'mer', 'tin', 'sa', 'pre', 'con', 'fig', 'ul', 'dex', 'ro', 'na', 'vi', 'op', 'ter', 'as', 'en', 'qui', 'bo', 'le'];
  const words = Array.from({ length: 2000 }, () => {
    const count = 1 + Math.floor(random() * 4);
    return Array.from({ length: count }, () => syllables[Math.floor(random() * syllables.length)]).join('');
  });
  const parts = [];
  let length = 0;
  while (length < size) {
    const wordCount = 3 + Math.floor(random() * 12);
    let line = '';
    for (let w = 0; w < wordCount; w++) {
      // Zipf-like: low indexes much more often, as in real text.
      const word = words[Math.floor(words.length * random() ** 3)];
      line += (w === 0 ? '' : random() < 0.1 ? ', ' : ' ') + (random() < 0.05 ? String(Math.floor(random() * 100_000)) : word);
    }
    line += random() < 0.3 ? ';\n' : '\n';
    parts.push(line);
    length += line.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

/**
 * Writes the tree under `root` (which must not exist) and returns { files, bytes }: `totalMiB` of file content.
 */
export function generateMixedTree(root, { totalMiB = 200, seed = 1 } = {}) {
  const random = prng(seed);
  const randomBytes = randomStream(seed);
  const text = textPool(random, 16 * MiB);
  const total = totalMiB * MiB;

  const sizes = [];
  let planned = 0;
  for (let i = 0; i < SMALL_FILES && planned < total; i++) {
    const size = Math.min(logUniform(random, 4, SMALL_MAX), total - planned);
    sizes.push(size);
    planned += size;
  }
  while (planned < total) {
    const size = Math.min(logUniform(random, SMALL_MAX, LARGE_MAX), total - planned);
    sizes.push(size);
    planned += size;
  }
  // Large and small files mixed through the directories, as in a real tree.
  for (let i = sizes.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [sizes[i], sizes[j]] = [sizes[j], sizes[i]];
  }

  const kinds = { text: 0, random: 0, binary: 0 };
  const textSlice = (length) => {
    const start = Math.floor(random() * (text.length - length));
    return text.subarray(start, start + length);
  };
  for (let i = 0; i < sizes.length; i++) {
    const dir = path.join(root, `d${Math.floor(i / (FILES_PER_DIR * FILES_PER_DIR))}`, `s${Math.floor(i / FILES_PER_DIR) % FILES_PER_DIR}`);
    if (i % FILES_PER_DIR === 0) mkdirSync(dir, { recursive: true });
    const roll = random();
    const kind = roll < 0.45 ? 'text' : roll < 0.8 ? 'random' : 'binary';
    kinds[kind] += sizes[i];
    const fd = openSync(path.join(dir, `f${i}.${kind === 'text' ? 'txt' : 'bin'}`), 'w');
    for (let written = 0; written < sizes[i]; ) {
      const length = Math.min(sizes[i] - written, kind === 'binary' ? 4096 + Math.floor(random() * 60_000) : MiB);
      let chunk;
      if (kind === 'text') chunk = textSlice(length);
      else if (kind === 'random') chunk = randomBytes(length);
      else {
        const block = random();
        chunk = block < 0.4 ? textSlice(length) : block < 0.8 ? randomBytes(length) : Buffer.alloc(length);
      }
      writeSync(fd, chunk);
      written += length;
    }
    closeSync(fd);
  }
  return { files: sizes.length, bytes: planned, kinds };
}
