import { spawn } from 'node:child_process';
import { readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreLock, StoreLockTimeoutError } from '../../src/cache/index.js';
import { tempDirs } from '../fixtures/temp-dir.js';

const tempDir = tempDirs('lock');

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('close', resolve));
  return child.pid!;
}

async function hostTagOf(dir: string): Promise<string> {
  // The host tag is whatever this process writes into a lock it holds.
  const lock = new StoreLock(path.join(dir, 'probe'));
  return lock.withLock(async () => (JSON.parse(await readFile(path.join(dir, 'probe'), 'utf8')) as { host: string }).host);
}

describe('store lock', () => {
  it('runs holders one at a time and removes the lock file after', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'lock');
    const lock = new StoreLock(file);
    const order: string[] = [];
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        lock.withLock(async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          order.push(`${name} in`);
          await new Promise((resolve) => setImmediate(resolve));
          order.push(`${name} out`);
          inside--;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    expect(order).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
    // A second lock object on the same file shares the in-process queue.
    await expect(new StoreLock(file).withLock(async () => 'result')).resolves.toBe('result');
    await expect(lock.withLock(async () => Promise.reject(new Error('inner')))).rejects.toThrow('inner');
    expect(await readdir(dir)).toEqual([]);
  });

  it('breaks a lock whose holder process is gone', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'lock');
    await writeFile(file, JSON.stringify({ host: await hostTagOf(dir), pid: await deadPid(), token: 'dead', since: '' }));
    await expect(new StoreLock(file).withLock(async () => 'taken')).resolves.toBe('taken');
    expect(await readdir(dir)).toEqual([]);
  });

  it('breaks a lock not refreshed for the stale time (another host, or a half-written file)', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'lock');
    await writeFile(file, JSON.stringify({ host: 'elsewhere', pid: 1, token: 'old', since: '' }));
    const old = new Date(Date.now() - 10 * 60_000);
    await utimes(file, old, old);
    await expect(new StoreLock(file, { staleMs: 60_000 }).withLock(async () => 'taken')).resolves.toBe('taken');
    await writeFile(file, '');
    await utimes(file, old, old);
    await expect(new StoreLock(file, { staleMs: 60_000 }).withLock(async () => 'taken again')).resolves.toBe('taken again');
  });

  it('times out with a typed error naming the holder while a live holder keeps it', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'lock');
    const holder = JSON.stringify({ host: await hostTagOf(dir), pid: process.pid, token: 'other', since: '' });
    await writeFile(file, holder);
    const attempt = new StoreLock(file, { timeoutMs: 50 }).withLock(async () => 'never');
    await expect(attempt).rejects.toBeInstanceOf(StoreLockTimeoutError);
    await expect(attempt).rejects.toMatchObject({ code: 'STORE_LOCK_TIMEOUT', holder });
    // The live holder's lock is untouched, and the waiter's claim on the next turn is withdrawn.
    expect(await readFile(file, 'utf8')).toBe(holder);
    expect(await readdir(dir)).toEqual(['lock']);
  });
});
