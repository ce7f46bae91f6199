/**
 * Peak memory of a build of a large context: generates a context of `--size-mb` MiB (default 2048) in files of
 * `--file-mb` MiB, builds `FROM scratch` + `COPY . /data` with the CLI into a fresh store and an OCI layout, and
 * measures the build process's peak RSS (GNU time's maximum resident set size when /usr/bin/time is installed,
 * else VmHWM polled from /proc/<pid>/status). Fails (exit code 1) at 250 MB or more: a build must stream its
 * context, never hold it. Needs about three times the context size of free disk in os.tmpdir() (context, store,
 * layout); everything is removed afterwards unless --keep.
 * Usage: node bench/hardening/context-rss.mjs [--size-mb N] [--file-mb N] [--keep]
 *        (after `npm run build`; test/hardening/resources.test.ts runs it with BUILD_IMAGE_HEAVY=1)
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const RSS_LIMIT_MB = 250;
const cli = fileURLToPath(new URL('../../bin/build-image.js', import.meta.url));

/** Files of pseudo-random data: slices of one random pool at shifting offsets, each file stamped unique. */
export function writeLargeContext(dir, sizeMb, fileMb) {
  mkdirSync(dir, { recursive: true });
  const fileSize = Math.round(fileMb * 1024 * 1024);
  const pool = randomBytes(64 * 1024 * 1024 + fileSize);
  const count = Math.ceil((sizeMb * 1024 * 1024) / fileSize);
  for (let index = 0; index < count; index++) {
    const offset = (index * 7919 * 4096) % (pool.length - fileSize);
    const content = pool.subarray(offset, offset + fileSize);
    content.writeUInt32LE(index, 0);
    writeFileSync(path.join(dir, `part-${String(index).padStart(5, '0')}.bin`), content);
  }
  writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY . /data\n');
  return { files: count, bytes: count * fileSize };
}

function kb(text, pattern) {
  const match = pattern.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** Runs the build; resolves with its peak RSS in MB (GNU time, else polled VmHWM) and wall time. */
export function measureBuild(args) {
  const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const [command, commandArgs] = gnuTime ? [gnuTime, ['-v', process.execPath, cli, ...args]] : [process.execPath, [cli, ...args]];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let polledKb = 0;
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    // The build is the child of GNU time, or the child itself: poll whichever node process it is.
    const poll = setInterval(() => {
      for (const pid of [child.pid, ...childrenOf(child.pid)]) {
        const status = readStatus(pid);
        if (status?.includes('Name:\tnode')) polledKb = Math.max(polledKb, kb(status, /VmHWM:\s+(\d+) kB/) ?? 0);
      }
    }, 50);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      if (code !== 0) return reject(new Error(`build exited with ${code}:\n${stderr.slice(-3000)}`));
      const timeKb = kb(stderr, /Maximum resident set size \(kbytes\): (\d+)/);
      const peakKb = Math.max(timeKb ?? 0, polledKb);
      resolve({ peakMb: peakKb / 1024, source: timeKb !== undefined ? 'GNU time' : 'VmHWM', seconds: (performance.now() - started) / 1000, stdout });
    });
  });
}

function readStatus(pid) {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
}

function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function main() {
  const { values } = parseArgs({ options: { 'size-mb': { type: 'string', default: '2048' }, 'file-mb': { type: 'string', default: '1' }, keep: { type: 'boolean', default: false } } });
  const work = mkdtempSync(path.join(os.tmpdir(), 'hardening-rss-'));
  try {
    const generated = performance.now();
    const context = writeLargeContext(path.join(work, 'context'), Number(values['size-mb']), Number(values['file-mb']));
    console.log(`context: ${context.files} files, ${(context.bytes / 1024 ** 3).toFixed(2)} GiB, written in ${((performance.now() - generated) / 1000).toFixed(1)} s`);
    const args = ['-q', '--cache-dir', path.join(work, 'cache'), '--output', `type=oci,dest=${path.join(work, 'layout')},tar=false`, path.join(work, 'context')];
    const result = await measureBuild(args);
    console.log(`build: ${result.seconds.toFixed(1)} s, peak RSS ${result.peakMb.toFixed(0)} MB (${result.source}; limit ${RSS_LIMIT_MB} MB), image ${result.stdout.trim()}`);
    if (result.peakMb >= RSS_LIMIT_MB) process.exitCode = 1;
  } finally {
    if (values.keep) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
