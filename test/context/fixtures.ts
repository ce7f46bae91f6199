/**
 * Real directory trees in temporary directories for the context tests (removed after each test file).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

/** A file's content, `{ dir: true }` for an empty directory, or `{ symlink: target }`. */
export type TreeSpec = Record<string, string | { readonly dir: true } | { readonly symlink: string }>;

const created: string[] = [];

afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh empty temporary directory. */
export function tempDir(prefix = 'context'): string {
  const dir = mkdtempSync(path.join(tmpdir(), `build-image-${prefix}-`));
  created.push(dir);
  return dir;
}

/** Writes `spec` below `root` (parents created as needed). */
export function writeTree(root: string, spec: TreeSpec): string {
  for (const [rel, value] of Object.entries(spec)) {
    const target = path.join(root, rel);
    if (typeof value === 'string') {
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, value);
    } else if ('dir' in value) {
      mkdirSync(target, { recursive: true });
    } else {
      mkdirSync(path.dirname(target), { recursive: true });
      symlinkSync(value.symlink, target);
    }
  }
  return root;
}

/** A new temporary directory holding `spec`. */
export function makeTree(spec: TreeSpec, prefix?: string): string {
  return writeTree(tempDir(prefix), spec);
}
