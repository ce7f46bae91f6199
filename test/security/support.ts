/**
 * Shared pieces of the security suite: a sandbox whose sentinel directory sits next to the directories a build may
 * write, a snapshot of everything outside those directories, and the check that a failure is typed and clear.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect } from 'vitest';

/** A fresh base directory per call, all removed after the test file. */
export function useSandboxes(prefix: string): (allowed: readonly string[]) => Promise<Sandbox> {
  const made: string[] = [];
  afterAll(async () => {
    await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async (allowed) => {
    const base = await mkdtemp(path.join(os.tmpdir(), `build-image-security-${prefix}-`));
    made.push(base);
    return Sandbox.create(base, allowed);
  };
}

/**
 * `base/` holds the allowed directories (a layer target, a context, a cache dir...) and `base/sentinel/`, whose
 * files a hostile input would like to read, replace or add to. `before` is what lies outside the allowed ones.
 */
export class Sandbox {
  private constructor(
    readonly base: string,
    readonly sentinel: string,
    private readonly allowed: readonly string[],
    private readonly before: Map<string, string>,
  ) {}

  static async create(base: string, allowed: readonly string[]): Promise<Sandbox> {
    for (const name of allowed) await mkdir(path.join(base, name), { recursive: true });
    const sentinel = path.join(base, 'sentinel');
    await mkdir(path.join(sentinel, 'etc'), { recursive: true });
    await writeFile(path.join(sentinel, 'secret'), 'host secret\n', { mode: 0o600 });
    await writeFile(path.join(sentinel, 'etc', 'passwd'), 'host:x:0:0::/:/bin/false\n');
    return new Sandbox(base, sentinel, allowed, await snapshotOutside(base, allowed));
  }

  /** An allowed directory by name. */
  dir(name: string): string {
    if (!this.allowed.includes(name)) throw new Error(`'${name}' is not an allowed directory of this sandbox`);
    return path.join(this.base, name);
  }

  /** Asserts that the sentinel is byte for byte as made and that nothing appeared next to the allowed directories. */
  async expectOutsideUntouched(): Promise<void> {
    expect(Object.fromEntries(await snapshotOutside(this.base, this.allowed))).toEqual(Object.fromEntries(this.before));
  }
}

/** Every path under `base` except inside the allowed directories: type, mode, link count and content digest. */
async function snapshotOutside(base: string, allowed: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const visit = async (dir: string, relative: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const rel = relative === '' ? name : `${relative}/${name}`;
      const full = path.join(dir, name);
      const stats = await lstat(full);
      if (relative === '' && allowed.includes(name) && stats.isDirectory()) {
        found.set(rel, 'allowed directory');
        continue;
      }
      if (stats.isDirectory()) {
        found.set(rel, `dir ${(stats.mode & 0o7777).toString(8)}`);
        await visit(full, rel);
      } else if (stats.isSymbolicLink()) {
        found.set(rel, `symlink -> ${await readlink(full)}`);
      } else if (stats.isFile()) {
        const digest = createHash('sha256').update(await readFile(full)).digest('hex');
        found.set(rel, `file ${(stats.mode & 0o7777).toString(8)} links=${stats.nlink} ${digest}`);
      } else {
        found.set(rel, `special ${stats.mode.toString(8)}`);
      }
    }
  };
  await visit(base, '');
  return found;
}

/** Files under `dir` (relative paths), to check that an allowed directory holds nothing unexpected. */
export async function listTree(dir: string): Promise<string[]> {
  const found: string[] = [];
  const visit = async (current: string, relative: string): Promise<void> => {
    for (const name of (await readdir(current)).sort()) {
      const rel = relative === '' ? name : `${relative}/${name}`;
      found.push(rel);
      if ((await lstat(path.join(current, name))).isDirectory()) await visit(path.join(current, name), rel);
    }
  };
  await visit(dir, '');
  return found;
}

/** The error `work` rejects with; fails the test when it resolves. */
export async function failureOf(work: Promise<unknown>): Promise<Error & { code?: unknown }> {
  try {
    await work;
  } catch (error) {
    return error as Error & { code?: unknown };
  }
  throw new Error('expected a refusal, but the operation succeeded');
}

/**
 * Asserts a typed refusal: an instance of `type` (when given) with the stable `code`, and a message that says
 * what was refused (`mentions`). Never a RangeError, a TypeError or a bare errno error.
 */
export async function expectRefused(
  work: Promise<unknown>,
  expected: { code: string; mentions: RegExp | string; type?: abstract new (...args: never[]) => Error },
): Promise<Error & { code?: unknown }> {
  const error = await failureOf(work);
  if (expected.type) expect(error).toBeInstanceOf(expected.type);
  expect(error).not.toBeInstanceOf(RangeError);
  expect({ code: error.code, message: error.message }).toMatchObject({ code: expected.code, message: expect.stringMatching(expected.mentions) });
  return error;
}

/** How long `work` took, in milliseconds, with its outcome. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; outcome: { value: T } | { error: unknown } }> {
  const start = performance.now();
  try {
    const value = await work();
    return { ms: performance.now() - start, outcome: { value } };
  } catch (error) {
    return { ms: performance.now() - start, outcome: { error } };
  }
}
