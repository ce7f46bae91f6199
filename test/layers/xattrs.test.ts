import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { XattrToolUnavailableError } from '../../src/layers/errors.js';
import { filterXattrs, formatXattrDump, isPortableXattr, parseGetfattrDump, readTreeXattrs, writeXattrs } from '../../src/layers/xattrs.js';
import { CAPABILITY_HEX, getXattrs, isRoot, setXattr, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

describe('xattr dumps', () => {
  it('round-trips awkward paths, names and binary values through the dump format', () => {
    const items: Array<[string, Map<string, Buffer>]> = [
      ['/tmp/a\nb\\c=d é', new Map([['user.n=me', Buffer.from([0, 0xff, 0x0a])], ['user.é', Buffer.alloc(0)]])],
      ['/tmp/plain', new Map([['security.capability', Buffer.from(CAPABILITY_HEX, 'hex')]])],
    ];
    expect(parseGetfattrDump(formatXattrDump(items))).toEqual(new Map(items));
  });

  it('keeps image attributes and drops host ones', () => {
    expect(isPortableXattr('security.capability')).toBe(true);
    expect(isPortableXattr('user.mime_type')).toBe(true);
    expect(isPortableXattr('trusted.overlay.opaque')).toBe(false);
    expect(isPortableXattr('user.overlay.origin')).toBe(false);
    expect(isPortableXattr('security.selinux')).toBe(false);
    expect(filterXattrs(new Map([['security.selinux', Buffer.from('x')]]), isPortableXattr)).toBeUndefined();
  });
});

describe('reading and writing xattrs on disk', () => {
  it('reads a whole tree with one getfattr run, symlinks not followed, binary values exact', async () => {
    const root = await tempDir();
    await mkdir(path.join(root, 'dir'));
    await writeFile(path.join(root, 'dir', 'bin'), '');
    await writeFile(path.join(root, 'plain'), '');
    await writeFile(path.join(root, 'odd\nname\\'), '');
    await symlink('dir/bin', path.join(root, 'link'));
    setXattr(path.join(root, 'dir', 'bin'), 'security.capability', CAPABILITY_HEX);
    setXattr(path.join(root, 'odd\nname\\'), 'user.x', '00');
    if (isRoot) setXattr(path.join(root, 'link'), 'trusted.on-link', '01');
    const xattrs = await readTreeXattrs(root);
    expect(xattrs.get(path.join(root, 'dir', 'bin'))!.get('security.capability')!.toString('hex')).toBe(CAPABILITY_HEX);
    expect(xattrs.get(path.join(root, 'odd\nname\\'))!.get('user.x')).toEqual(Buffer.from([0]));
    expect(xattrs.has(path.join(root, 'plain'))).toBe(false);
    if (isRoot) expect([...xattrs.get(path.join(root, 'link'))!.keys()]).toEqual(['trusted.on-link']);
  });

  it('writes a batch with one setfattr run, on a symlink itself where asked', async () => {
    const root = await tempDir();
    const file = path.join(root, 'file é');
    await writeFile(file, '');
    await symlink('file é', path.join(root, 'link'));
    const items: Array<[string, Map<string, Buffer>]> = [[file, new Map([['user.a', Buffer.from([0x80, 0x00, 0xff])]])]];
    if (isRoot) items.push([path.join(root, 'link'), new Map([['trusted.b', Buffer.from('on-link')]])]);
    await writeXattrs(items);
    expect(getXattrs(file).get('user.a')).toEqual(Buffer.from([0x80, 0x00, 0xff]));
    if (isRoot) {
      expect(getXattrs(path.join(root, 'link')).get('trusted.b')!.toString()).toBe('on-link');
      expect(getXattrs(file).has('trusted.b')).toBe(false);
    }
  });

  it('reports a missing getfattr or setfattr (Debian package attr) with a typed error', async () => {
    const emptyDir = await tempDir();
    const savedPath = process.env.PATH;
    process.env.PATH = emptyDir;
    try {
      await expect(readTreeXattrs(emptyDir)).rejects.toBeInstanceOf(XattrToolUnavailableError);
      await expect(writeXattrs([[emptyDir, new Map([['user.a', Buffer.from('x')]])]])).rejects.toMatchObject({ code: 'LAYER_XATTR_TOOL_UNAVAILABLE' });
    } finally {
      process.env.PATH = savedPath;
    }
  });

  it('reports setfattr failures with a typed error', async () => {
    const root = await tempDir();
    await expect(writeXattrs([[path.join(root, 'missing'), new Map([['user.a', Buffer.from('x')]])]])).rejects.toMatchObject({ code: 'LAYER_XATTR_FAILED' });
  });
});
