/**
 * The build benchmark's reference project, generated into a directory: a busybox base image (an OCI layout made
 * by scripts/make-busybox-image.sh from the host's busybox-static, with umoci) and a context holding a Dockerfile
 * (ENV, WORKDIR, 3 RUN steps, a COPY of a directory) and 2,000 small files in 20 directories.
 *
 * The Dockerfile's base is `ARG BASE` so that each builder names it its own way: build-image as a named build
 * context (`--build-context busybox-base=oci-layout://...`), buildah and docker as an image in their own stores.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const DIRECTORIES = 20;
export const FILES_PER_DIRECTORY = 100;
/** The build context name build-image is given the base image under. */
export const BASE_CONTEXT = 'busybox-base';

export const DOCKERFILE = `ARG BASE=${BASE_CONTEXT}
FROM \${BASE}
ENV APP_HOME=/app GREETING=hello
WORKDIR /app
RUN mkdir -p data && echo "$GREETING" > data/greeting
COPY files/ /app/files/
RUN find /app/files -type f | wc -l > data/count
RUN echo built > data/done && ls data
`;

/**
 * Files of a real project are older than a build; fresh ones would fall in the digest memo's "racily clean"
 * window (modified within 2 s of being hashed) and be hashed again on the first rebuilds.
 */
const FILE_TIME = new Date('2024-01-01T00:00:00Z');

/** Writes the base layout to `dir/base` and the context to `dir/project`; returns their paths. */
export function makeReferenceProject(dir) {
  const base = path.join(dir, 'base');
  const made = spawnSync(path.join(repoRoot, 'scripts/make-busybox-image.sh'), [base], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`scripts/make-busybox-image.sh failed (${made.status ?? made.signal}):\n${made.stderr}`);

  const project = path.join(dir, 'project');
  const files = path.join(project, 'files');
  for (let d = 0; d < DIRECTORIES; d++) {
    const sub = path.join(files, `dir${String(d).padStart(2, '0')}`);
    mkdirSync(sub, { recursive: true });
    for (let f = 0; f < FILES_PER_DIRECTORY; f++) {
      const file = path.join(sub, `file${String(f).padStart(3, '0')}.txt`);
      // 40 to 400 bytes of text, different in every file.
      writeFileSync(file, `${d}/${f} `.repeat(8 + ((d * 131 + f * 17) % 70)) + '\n');
      utimesSync(file, FILE_TIME, FILE_TIME);
    }
    utimesSync(sub, FILE_TIME, FILE_TIME);
  }
  writeFileSync(path.join(project, 'Dockerfile'), DOCKERFILE);
  for (const entry of [path.join(project, 'Dockerfile'), files, project]) utimesSync(entry, FILE_TIME, FILE_TIME);
  return { base, project };
}
