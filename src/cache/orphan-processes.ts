import { readdir, readFile, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** A directory's identity: device and inode, as `stat` of /proc/PID/root reports them for a process's root. */
export function directoryIdentity(info: { dev: number; ino: number }): string {
  return `${info.dev}:${info.ino}`;
}

/**
 * Processes of this host that still use a dead build's temp entries: their command line names one of `paths`
 * (an OCI runtime started with `--root`/`--bundle` there, `cp` filling a snapshot, `unshare` running a chroot
 * script), or their root directory is one of `roots` (a container whose rootfs lies there). They outlive the
 * build because nothing ties them to its life: the runtime keeps running, and the container keeps its overlay busy.
 */
export async function processesUsing(paths: readonly string[], roots: ReadonlySet<string>): Promise<number[]> {
  if (paths.length === 0 && roots.size === 0) return [];
  const found: number[] = [];
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (args.some((arg) => paths.some((entry) => arg.includes(entry)))) {
      found.push(pid);
      continue;
    }
    const root = await stat(`/proc/${pid}/root`).catch(() => undefined);
    if (root && roots.has(directoryIdentity(root))) found.push(pid);
  }
  return found;
}

/** Whether a process has ended (a zombie has: it only waits for its parent to reap it). */
async function ended(pid: number): Promise<boolean> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (text === undefined) return true;
  const state = text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X';
}

/** SIGKILLs the processes and waits (up to `patienceMs`) until they have ended. */
export async function killProcesses(pids: readonly number[], patienceMs = 3_000): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone, or not ours to kill
    }
  }
  const deadline = Date.now() + patienceMs;
  for (const pid of pids) {
    while (!(await ended(pid)) && Date.now() < deadline) await sleep(10);
  }
}
