import { describe, expect, it } from 'vitest';
import { buildOciSpec, DEFAULT_CAPABILITIES, MASKED_PATHS, READONLY_PATHS } from '../../src/executor/index.js';
import { checkRequest } from '../../src/executor/run-request.js';

const system = { proc: 'proc', dev: 'dev', sys: 'sys', hosts: 'etc/hosts', resolvConf: 'run/resolv.conf' };
const hostFiles = { hosts: '/run-dir/hosts', resolvConf: '/run-dir/resolv.conf' };

function spec(overrides: Partial<Parameters<typeof checkRequest>[0]> = {}, user: Parameters<typeof buildOciSpec>[0]['user'] = []) {
  const request = checkRequest({ rootfs: '/rootfs', args: ['sh', '-c', 'true'], env: ['PATH=/bin'], ...overrides });
  return buildOciSpec({ request, system, user, hostFiles });
}

describe('buildOciSpec', () => {
  it('writes the process as asked: args, env, cwd, user, no terminal, Docker capabilities and RLIMIT_NOFILE', () => {
    const { process: proc, root, hostname, ociVersion } = spec({ cwd: '/work', user: { uid: 1000, gid: 100, additionalGids: [27] }, hostname: 'box' });
    expect(ociVersion).toBe('1.0.2');
    expect(proc).toMatchObject({ terminal: false, args: ['sh', '-c', 'true'], env: ['PATH=/bin'], cwd: '/work', user: { uid: 1000, gid: 100, additionalGids: [27] }, noNewPrivileges: false });
    expect(proc.capabilities.bounding).toEqual([...DEFAULT_CAPABILITIES]);
    expect(proc.capabilities.effective).toEqual(proc.capabilities.permitted);
    expect(proc.capabilities.bounding).toHaveLength(14);
    expect(proc.capabilities.bounding).not.toContain('CAP_SYS_ADMIN');
    expect(proc.rlimits).toEqual([{ type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 }]);
    expect(root).toEqual({ path: '/rootfs', readonly: false });
    expect(hostname).toBe('box');
  });

  it('defaults to root, cwd / and BuildKit hostname, and leaves additionalGids out when there are none', () => {
    const { process: proc, hostname } = spec();
    expect(proc.user).toEqual({ uid: 0, gid: 0 });
    expect(proc.cwd).toBe('/');
    expect(hostname).toBe('buildkitsandbox');
  });

  it('isolates the network only for network none', () => {
    const types = (network: 'none' | 'host') => spec({ network }).linux.namespaces.map((ns) => ns.type);
    expect(types('none')).toEqual(['pid', 'ipc', 'uts', 'mount', 'network']);
    expect(types('host')).toEqual(['pid', 'ipc', 'uts', 'mount']);
  });

  it("mounts /proc, a tmpfs /dev with pts, shm and mqueue, a read-only /sys and the run's hosts and resolv.conf, at the resolved targets", () => {
    const mounts = spec().mounts;
    expect(mounts.map((m) => [m.destination, m.type])).toEqual([
      ['/proc', 'proc'],
      ['/dev', 'tmpfs'],
      ['/dev/pts', 'devpts'],
      ['/dev/shm', 'tmpfs'],
      ['/dev/mqueue', 'mqueue'],
      ['/sys', 'sysfs'],
      ['/etc/hosts', 'bind'],
      ['/run/resolv.conf', 'bind'],
    ]);
    expect(mounts.find((m) => m.destination === '/sys')?.options).toContain('ro');
    expect(mounts.find((m) => m.destination === '/etc/hosts')).toMatchObject({ source: '/run-dir/hosts', options: ['rbind', 'ro'] });
  });

  it('in a child user namespace: binds the host /sys for the host network, and leaves the tty group out when it is unmapped', () => {
    const request = checkRequest({ rootfs: '/rootfs', args: ['true'], env: [], network: 'host' });
    const mounts = buildOciSpec({ request, system, user: [], hostFiles, sysfsFromHost: true, ttyGroup: false }).mounts;
    expect(mounts.find((m) => m.destination === '/sys')).toEqual({ destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] });
    expect(mounts.find((m) => m.destination === '/dev/pts')?.options).not.toContain('gid=5');
    expect(spec().mounts.find((m) => m.destination === '/dev/pts')?.options).toContain('gid=5');
  });

  it("appends the request's bind and tmpfs mounts; a target inside another mount keeps its own path", () => {
    const mounts = spec({}, [
      { mount: { type: 'bind', source: '/ctx', target: '/src', readonly: true }, resolved: 'src', targetType: 'directory' },
      { mount: { type: 'bind', source: '/out', target: '/out' }, resolved: 'real/out', targetType: 'directory' },
      { mount: { type: 'tmpfs', target: '/src/cache', size: 1048576, mode: 0o755 }, resolved: 'src/cache', targetType: 'directory', inside: 0 },
    ]).mounts.slice(8);
    expect(mounts).toEqual([
      { destination: '/src', type: 'bind', source: '/ctx', options: ['rbind', 'ro'] },
      { destination: '/real/out', type: 'bind', source: '/out', options: ['rbind', 'rw'] },
      { destination: '/src/cache', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'size=1048576', 'mode=0755'] },
    ]);
  });

  it("masks and write-protects Docker's /proc and /sys paths, and denies devices but the defaults", () => {
    const { linux } = spec();
    expect(linux.maskedPaths).toEqual([...MASKED_PATHS]);
    expect(linux.maskedPaths).toContain('/proc/kcore');
    expect(linux.readonlyPaths).toEqual([...READONLY_PATHS]);
    expect(linux.resources.devices[0]).toEqual({ allow: false, access: 'rwm' });
    expect(linux.resources.devices).toContainEqual({ allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' });
  });

  it('is plain JSON', () => {
    const value = spec({ mounts: [] });
    expect(JSON.parse(JSON.stringify(value))).toEqual(value);
  });
});

describe('checkRequest', () => {
  const base = { rootfs: '/rootfs', args: ['true'], env: [] as string[] };
  it.each([
    ['a relative rootfs', { rootfs: 'rootfs' }],
    ['empty args', { args: [] }],
    ['an env entry without =', { env: ['PATH'] }],
    ['a relative cwd', { cwd: 'tmp' }],
    ['a negative uid', { user: { uid: -1, gid: 0 } }],
    ['a hostname with a space', { hostname: 'a b' }],
    ['a relative mount target', { mounts: [{ type: 'tmpfs' as const, target: 'x' }] }],
    ['a fractional tmpfs size', { mounts: [{ type: 'tmpfs' as const, target: '/x', size: 1.5 }] }],
  ])('refuses %s with EXECUTOR_INVALID_REQUEST', (_, overrides) => {
    expect(() => checkRequest({ ...base, ...overrides })).toThrow(expect.objectContaining({ code: 'EXECUTOR_INVALID_REQUEST' }));
  });
});
