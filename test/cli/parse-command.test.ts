import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { runCliProcess } from '../support/cli-process.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function dockerfile(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'build-image-parse-'));
  made.push(dir);
  const file = path.join(dir, 'Dockerfile');
  writeFileSync(file, text);
  return file;
}

describe('build-image parse', () => {
  it('prints the BuildKit dump', async () => {
    const file = dockerfile('FROM a\nCOPY --chown=1:1 x /y\n');
    const result = await runCli(['parse', '-f', file, '--format', 'dump']);
    expect(result).toEqual({ code: 0, stdout: '(from "a")\n(copy ["--chown=1:1"] "x" "/y")\n', stderr: '' });
  });

  it('prints JSON with nodes, typed instructions and ranges', async () => {
    const file = dockerfile('# syntax=docker/dockerfile:1\nFROM a AS b\nRUN echo hi\n');
    const result = await runCli(['parse', '--file', file]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.directives[0]).toMatchObject({ name: 'syntax', value: 'docker/dockerfile:1' });
    expect(report.nodes.map((node: { name: string }) => node.name)).toEqual(['FROM', 'RUN']);
    expect(report.instructions.map((instruction: { kind: string }) => instruction.kind)).toEqual(['FROM', 'RUN']);
    expect(report.nodes[1].range.start).toEqual({ line: 3, column: 1, offset: 41 });
  });

  it('exits 1 with every error as file:line:column: message', async () => {
    const file = dockerfile('FROM a\nFOO bar\nCOPY --bogus=1 a b\n');
    const result = await runCli(['parse', '-f', file, '--format', 'dump']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`${file}:2:1: unknown instruction: FOO (did you mean FROM?)`);
    expect(lines[1]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:6: .*bogus`));
  });

  it('rejects an unknown format and a missing file', async () => {
    expect((await runCli(['parse', '--format', 'yaml'])).code).toBe(2);
    const missing = await runCli(['parse', '-f', '/nonexistent/Dockerfile']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ENOENT');
  });

  it('runs as the installed bin script', async () => {
    const file = dockerfile('FROM a\n');
    const child = await runCliProcess(['parse', '-f', file, '--format', 'dump']);
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('(from "a")\n');
    expect(child.code).toBe(0);
  });
});
