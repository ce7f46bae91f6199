import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { replaceFile, replaceFileSync } from '../../src/files/index.js';
import { tempDirs } from '../fixtures/temp-dir.js';

const newDir = tempDirs('replace-file');
let dir: string;
beforeEach(async () => {
  dir = await newDir();
});

describe.each([
  ['replaceFile', (file: string, data: string, options?: { temp?: string; mode?: number }) => replaceFile(file, data, options)],
  ['replaceFileSync', (file: string, data: string, options?: { temp?: string; mode?: number }) => (async () => replaceFileSync(file, data, options))()],
] as const)('%s', (_name, write) => {
  it('creates the file, then replaces it whole, leaving no temporary file', async () => {
    const file = path.join(dir, 'state.json');
    await write(file, 'one');
    await write(file, 'two');
    expect(readFileSync(file, 'utf8')).toBe('two');
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('writes through the temporary path given, with the mode given', async () => {
    mkdirSync(path.join(dir, 'tmp'));
    const file = path.join(dir, 'root');
    await write(file, 'x', { temp: path.join(dir, 'tmp', 'owned'), mode: 0o600 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
  });

  it('keeps the old content and removes its temporary file when the rename fails', async () => {
    const target = path.join(dir, 'a-directory');
    mkdirSync(target);
    writeFileSync(path.join(target, 'inside'), 'kept');
    await expect(write(target, 'new')).rejects.toMatchObject({ code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST)$/) });
    expect(readFileSync(path.join(target, 'inside'), 'utf8')).toBe('kept');
    expect(readdirSync(dir)).toEqual(['a-directory']);
  });

  it('never writes through an existing temporary path', async () => {
    const temp = path.join(dir, 'taken');
    writeFileSync(temp, 'someone else');
    await expect(write(path.join(dir, 'file'), 'new', { temp })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(readFileSync(temp, 'utf8')).toBe('someone else');
    expect(readdirSync(dir)).toEqual(['taken']);
  });
});
