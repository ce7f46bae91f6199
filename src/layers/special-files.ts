/**
 * Device nodes and fifos, made with coreutils' mknod and mkfifo (Node has no API for either).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export async function makeDevice(file: string, type: 'character-device' | 'block-device', major: number, minor: number): Promise<void> {
  await execFileAsync('mknod', ['-m', '600', '--', file, type === 'character-device' ? 'c' : 'b', String(major), String(minor)]);
}

export async function makeFifo(file: string): Promise<void> {
  await execFileAsync('mkfifo', ['-m', '600', '--', file]);
}
