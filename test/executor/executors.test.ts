import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChrootExecutor,
  OciRuntimeExecutor,
  findChrootTools,
  findOciRuntime,
  prepareRunRootfs,
  resolveRunUser,
  type Executor,
  type ExecutorName,
  type PreparedRootfs,
  type RunRequest,
} from '../../src/executor/index.js';
import { unpackBusyboxRootfs } from '../fixtures/busybox-rootfs.js';
import { toolsAvailable } from '../fixtures/tools.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('\n*** SKIPPED executor tests: they need root (namespaces, mounts) ***\n');

const PATH_ENV = 'PATH=/usr/sbin:/usr/bin:/sbin:/bin';

function makeExecutor(name: ExecutorName, tempDir: string): Executor | undefined {
  if (name === 'chroot') {
    if (!toolsAvailable('chroot executor', ['unshare', 'setpriv'], ['util-linux'])) return undefined;
    const tools = findChrootTools();
    return 'missing' in tools ? undefined : new ChrootExecutor(tools, { tempDir });
  }
  if (!toolsAvailable(`${name} executor`, [name], [name])) return undefined;
  return new OciRuntimeExecutor(findOciRuntime(name)!, { tempDir });
}

interface Captured {
  stdout: string;
  stderr: string;
}

/** Processes whose environment holds `marker` (a /proc scan). */
function processesWithMarker(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(marker)) found.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

function mountPointsUnder(prefix: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((mountPoint): mountPoint is string => mountPoint !== undefined && (mountPoint === prefix || mountPoint.startsWith(`${prefix}/`)));
}

describe.runIf(isRoot).each(['crun', 'runc', 'chroot'] as const)('%s executor', (name) => {
  let home: string;
  let base: string | undefined;
  let executor: Executor | undefined;
  const rootfses: PreparedRootfs[] = [];

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), `build-image-executor-${name}-`));
    await mkdir(path.join(home, 'runs'));
    executor = makeExecutor(name, path.join(home, 'runs'));
    base = executor === undefined ? undefined : await unpackBusyboxRootfs(home);
  });
  afterAll(async () => {
    for (const rootfs of rootfses) await rootfs.release();
    await rm(home, { recursive: true, force: true });
  });

  /** A fresh overlay over the busybox rootfs, so runs never change the base. */
  async function freshRootfs(mode: 'auto' | 'copy' = 'auto'): Promise<PreparedRootfs> {
    const workDir = await mkdtemp(path.join(home, 'work-'));
    const rootfs = await prepareRunRootfs({ lowers: [base!], workDir, mode });
    rootfses.push(rootfs);
    return rootfs;
  }

  async function runIn(root: string, request: Partial<RunRequest> & Pick<RunRequest, 'args'>): Promise<Captured & { exitCode: number }> {
    const captured: Captured = { stdout: '', stderr: '' };
    const outcome = await executor!.run({
      rootfs: root,
      env: [PATH_ENV],
      stdout: (chunk) => (captured.stdout += chunk.toString()),
      stderr: (chunk) => (captured.stderr += chunk.toString()),
      ...request,
    });
    expect(outcome.leftoverMountStubs).toEqual([]);
    return { ...captured, exitCode: outcome.exitCode };
  }

  const sh = async (script: string, request: Partial<RunRequest> = {}) => runIn((await freshRootfs()).root, { args: ['sh', '-c', script], ...request });

  it('reports exit codes 0 and 3', async (context) => {
    if (executor === undefined || base === undefined) return context.skip();
    expect((await sh('exit 0')).exitCode).toBe(0);
    expect((await sh('exit 3')).exitCode).toBe(3);
  });

  it('captures stdout and stderr apart, and feeds stdin', async (context) => {
    if (executor === undefined || base === undefined) return context.skip();
    const result = await sh('echo to-out; echo to-err >&2; cat', { stdin: 'from-stdin' });
    expect(result).toMatchObject({ exitCode: 0, stdout: 'to-out\nfrom-stdin', stderr: 'to-err\n' });
  });

  it('gives the process exactly the requested environment and working directory', async (context) => {
    if (executor === undefined || base === undefined) return context.skip();
    const result = await sh('pwd; env', { env: [PATH_ENV, 'GREETING=hello world'], cwd: '/tmp' });
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('/tmp');
    expect(lines).toContain('GREETING=hello world');
    expect(lines).toContain(PATH_ENV);
    expect(result.stdout).not.toContain('VITEST');
  });

  it('runs as the requested user: uid 1000 creates a file owned by 1000', async (context) => {
    if (executor === undefined || base === undefined) return context.skip();
    const rootfs = await freshRootfs();
    const result = await runIn(rootfs.root, { args: ['sh', '-c', 'id -u; id -g; id -G; touch /tmp/owned'], user: { uid: 1000, gid: 1001, additionalGids: [2000, 2001] } });
    expect(result.stdout.split('\n').slice(0, 3)).toEqual(['1000', '1001', expect.stringMatching(/^1001 2000 2001$|^2000 2001 1001$/)]);
    expect((await stat(path.join(rootfs.root, 'tmp/owned'))).uid).toBe(1000);
    const nobody = await resolveRunUser('nobody', rootfs.root);
    const asNobody = await runIn(rootfs.root, { args: ['id', '-u'], user: nobody });
    expect(asNobody.stdout.trim()).toBe('65534');
  });

  it('network none has only lo, and lo is up; network host sees the host interfaces', async (context) => {
    if (executor === undefined || base === undefined) return context.skip();
    const interfaces = (text: string) => text.split('\n').slice(2).map((line) => line.split(':')[0].trim()).filter(Boolean).sort();
    const isolated = await sh('cat /proc/net/dev; cat /sys/class/net/lo/flags', { network: 'none' });
    expect(interfaces(isolated.stdout.split('\n').slice(0, -2).join('\n'))).toEqual(['lo']);
    expect(Number(isolated.stdout.trim().split('\n').pop()) & 1).toBe(1);
    const host = await sh('cat /proc/net/dev', { network: 'host' });
    expect(interfaces(host.stdout)).toEqual(interfaces(readFileSync('/proc/net/dev', 'utf8')));
  });

  it('mounts a read-only bind that refuses writes, a writable bind and a tmpfs', async (context) => {
    if (executor === undefined || base === undefined) return context.skip();
    const source = await mkdtemp(path.join(home, 'bind-'));
    await writeFile(path.join(source, 'data'), 'bound');
    const output = await mkdtemp(path.join(home, 'out-'));
    const result = await sh(
      'cat /ctx/data; echo; if echo x > /ctx/new; then echo wrote; fi; echo made > /out/made; grep " /scratch " /proc/mounts; touch /scratch/file',
      {
        mounts: [
          { type: 'bind', source, target: '/ctx', readonly: true },
          { type: 'bind', source: output, target: '/out' },
          { type: 'tmpfs', target: '/scratch', size: 1024 * 1024, mode: 0o700 },
        ],
      },
    );
    expect(result.stdout).toMatch(/^bound\n/);
    expect(result.stdout).not.toContain('wrote');
    expect(result.stderr).toMatch(/Read-only file system/);
    expect(existsSync(path.join(source, 'new'))).toBe(false);
    expect(await readFile(path.join(output, 'made'), 'utf8')).toBe('made\n');
    expect(result.stdout).toMatch(/^tmpfs \/scratch tmpfs rw,.*size=1024k,mode=700/m);
  });

  it('sets the hostname and writes it with localhost into /etc/hosts; resolv.conf is the host one', async (context) => {
    if (executor === undefined || base === undefined) return context.skip();
    const result = await sh('hostname; cat /etc/hosts; echo ---; cat /etc/resolv.conf', { hostname: 'step-host' });
    const [hostname, ...rest] = result.stdout.split('\n');
    expect(hostname).toBe('step-host');
    const [hosts, resolv] = rest.join('\n').split('---\n');
    expect(hosts).toMatch(/^127\.0\.0\.1\s+localhost step-host$/m);
    expect(resolv).toBe(existsSync('/etc/resolv.conf') ? readFileSync('/etc/resolv.conf', 'utf8') : expect.any(String));
  });

  it('leaves no mount stubs: a run that changes nothing gives no changes', async (context) => {
    if (executor === undefined || base === undefined) return context.skip();
    for (const mode of ['auto', 'copy'] as const) {
      const rootfs = await freshRootfs(mode);
      expect(existsSync(path.join(rootfs.root, 'etc/hosts'))).toBe(false);
      const result = await runIn(rootfs.root, { args: ['true'], mounts: [{ type: 'tmpfs', target: '/var/cache/tool' }] });
      expect(result.exitCode).toBe(0);
      expect(existsSync(path.join(rootfs.root, 'etc/hosts'))).toBe(false);
      expect(existsSync(path.join(rootfs.root, 'var/cache'))).toBe(false);
      expect(await rootfs.changes()).toEqual([]);
    }
  });

  it('turns what the process did into changes: adds, a whiteout-style delete, an opaque directory', async (context) => {
    if (executor === undefined || base === undefined) return context.skip();
    const rootfs = await freshRootfs();
    expect(rootfs.mode).toBe('overlay');
    await runIn(rootfs.root, { args: ['sh', '-c', 'echo new > /new.txt; echo more >> /etc/passwd; rm /etc/group; rm -rf /bin; mkdir /bin; ln -s /new.txt /bin/only'] });
    const summary = (await rootfs.changes()).map((change) => (change.kind === 'add' ? `+${change.type[0]} ${change.path}` : `${change.kind === 'delete' ? '-' : 'o'} ${change.path}`));
    expect(summary).toEqual(['+d bin', 'o bin', '+s bin/only', '+d etc', '- etc/group', '+f etc/passwd', '+f new.txt']);
  });

  it('aborts `sleep 1000`: the promise rejects with EXECUTOR_ABORTED, no process and no mount remains', async (context) => {
    if (executor === undefined || base === undefined) return context.skip();
    const rootfs = await freshRootfs();
    const marker = `BUILD_IMAGE_TEST_MARKER=${randomUUID()}`;
    const controller = new AbortController();
    const running = executor.run({ rootfs: rootfs.root, args: ['sleep', '1000'], env: [PATH_ENV, marker], signal: controller.signal });
    const started = Date.now();
    while (processesWithMarker(marker).length === 0 && Date.now() - started < 20_000) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(processesWithMarker(marker)).not.toEqual([]);
    controller.abort(new Error('test abort'));
    await expect(running).rejects.toMatchObject({ code: 'EXECUTOR_ABORTED', name: 'ExecutorAbortedError' });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(processesWithMarker(marker)).toEqual([]);
    expect(mountPointsUnder(rootfs.root).filter((mountPoint) => mountPoint !== rootfs.root)).toEqual([]);
    expect(mountPointsUnder(path.join(home, 'runs'))).toEqual([]);
    expect(readdirSync(path.join(home, 'runs'))).toEqual([]);
    expect(existsSync(path.join(rootfs.root, 'etc/hosts'))).toBe(false);
  });

  it('rejects at once when the signal is already aborted, starting nothing', async (context) => {
    if (executor === undefined || base === undefined) return context.skip();
    await expect(executor.run({ rootfs: (await freshRootfs()).root, args: ['true'], env: [], signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'EXECUTOR_ABORTED' });
    expect(readdirSync(path.join(home, 'runs'))).toEqual([]);
  });
});
