import { readFileSync } from 'node:fs';

/** A /proc file's text, or undefined where it cannot be read (no /proc, not Linux). */
export function readProcFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** One line of /proc/self/mountinfo: where a filesystem is mounted, and its type. */
export interface MountinfoEntry {
  readonly mountPoint: string;
  readonly fsType: string;
}

/** mountinfo writes space, tab, newline and backslash in paths as three octal digits. */
function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** The mounts of mountinfo text (this process's mount namespace by default); none where it cannot be read. */
export function parseMountinfo(text = readProcFile('/proc/self/mountinfo') ?? ''): MountinfoEntry[] {
  const entries: MountinfoEntry[] = [];
  for (const line of text.split('\n')) {
    const [before, after] = line.split(' - ');
    const field = before.split(' ')[4];
    if (after === undefined || field === undefined) continue;
    entries.push({ mountPoint: unescapeMountPath(field), fsType: after.split(' ')[0] });
  }
  return entries;
}
