import { describe, expect, it } from 'vitest';
import { parseMountinfo, readProcFile } from '../../src/files/index.js';

describe('readProcFile', () => {
  it('reads a /proc file, and gives undefined for one that cannot be read', () => {
    expect(readProcFile('/proc/self/status')).toMatch(/^Name:/);
    expect(readProcFile('/proc/self/no-such-file')).toBeUndefined();
  });
});

describe('parseMountinfo', () => {
  it('gives each mount point, unescaped, with its filesystem type; optional fields do not shift them', () => {
    const text = [
      '36 35 98:0 /mnt1 /mnt/with\\040space rw,noatime master:1 - ext3 /dev/root rw,errors=continue',
      '37 35 0:30 / /sys/fs/cgroup/unified rw shared:9 propagate_from:2 - cgroup2 cgroup2 rw',
      '38 35 0:31 / /a\\134b\\011c rw - tmpfs tmpfs rw',
      'not a mountinfo line',
      '',
    ].join('\n');
    expect(parseMountinfo(text)).toEqual([
      { mountPoint: '/mnt/with space', fsType: 'ext3' },
      { mountPoint: '/sys/fs/cgroup/unified', fsType: 'cgroup2' },
      { mountPoint: '/a\\b\tc', fsType: 'tmpfs' },
    ]);
  });

  it("reads this process's mounts by default", () => {
    expect(parseMountinfo().some((mount) => mount.mountPoint === '/')).toBe(true);
  });
});
