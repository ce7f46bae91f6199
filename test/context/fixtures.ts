/**
 * Real directory trees in temporary directories for the context tests (removed after each test file).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { writeTree, type TreeSpec } from '../fixtures/file-tree.js';

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

/** A new temporary directory holding `spec`. */
export function makeTree(spec: TreeSpec, prefix?: string): string {
  return writeTree(tempDir(prefix), spec);
}
