/**
 * Dockerfiles built to exhaust the parser or the word expansion: a 100,000-line heredoc, a 1 MB line, variable
 * expansion nested 10,000 deep. Each completes within a generous budget, with a typed error at worst: never a
 * RangeError (stack overflow) or a crash.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../../src/builder/index.js';
import { parse, ParseError } from '../../src/parser/index.js';
import { listLayer } from '../layers/helpers.js';
import { readLayoutBlob } from '../support/oci-layout.js';
import { timed, useSandboxes, type Sandbox } from './support.js';

const sandbox = useSandboxes('dockerfile');
const BUDGET_MS = 10_000;
const MB = 1024 * 1024;

function nested(depth: number, inner: string): string {
  return '${a:-'.repeat(depth) + inner + '}'.repeat(depth);
}

async function buildText(box: Sandbox, dockerfileText: string): Promise<{ ms: number; outcome: { value: { manifest: { layers: { digest: string }[] } } } | { error: unknown } }> {
  return timed(() => build({ context: box.dir('context'), dockerfileText, cacheDir: box.dir('cache'), outputs: [{ type: 'oci-layout', dest: box.dir('out') }] }));
}

/** A failure is acceptable only as a typed error with a stable code. */
function expectTypedIfFailed(outcome: { error: unknown } | { value: unknown }): void {
  if (!('error' in outcome)) return;
  expect(outcome.error).not.toBeInstanceOf(RangeError);
  expect((outcome.error as { code?: unknown }).code).toMatch(/^[A-Z_]+$/);
}

describe('hostile Dockerfiles', () => {
  it('parses and builds a 100,000-line heredoc', async () => {
    const box = await sandbox(['context', 'cache', 'out']);
    const body = 'a line of the heredoc body\n'.repeat(100_000);
    const text = `FROM scratch\nCOPY <<EOF /big.txt\n${body}EOF\n`;
    const parsed = await timed(async () => parse(text, { file: 'Dockerfile' }));
    expect(parsed.ms).toBeLessThan(BUDGET_MS);
    expect('value' in parsed.outcome && parsed.outcome.value.errors).toEqual([]);
    const built = await buildText(box, text);
    expect(built.ms).toBeLessThan(BUDGET_MS);
    expect('value' in built.outcome).toBe(true);
    if (!('value' in built.outcome)) return;
    const layer = built.outcome.value.manifest.layers[0];
    const entries = await listLayer(await readLayoutBlob(box.dir('out'), layer.digest));
    expect(entries.find((entry) => entry.header.name === 'big.txt')?.content.toString()).toBe(body);
    await box.expectOutsideUntouched();
  });

  it('refuses a 1 MB line with a typed LINE_TOO_LONG error, in parse and in build', async () => {
    const box = await sandbox(['context', 'cache', 'out']);
    for (const line of [`RUN echo ${'a'.repeat(MB)}`, `ENV A=${'a'.repeat(MB)}`, `# ${'a'.repeat(MB)}`, `LABEL x=${'"'.repeat(MB)}`]) {
      const text = `FROM scratch\n${line}\n`;
      const parsed = await timed(async () => parse(text, { file: 'Dockerfile' }));
      expect(parsed.ms).toBeLessThan(BUDGET_MS);
      const errors = 'value' in parsed.outcome ? parsed.outcome.value.errors : [];
      expect(errors[0]).toBeInstanceOf(ParseError);
      expect(errors[0]).toMatchObject({ code: 'LINE_TOO_LONG', message: 'Dockerfile:2:1: line is longer than 65536 bytes' });
      const built = await buildText(box, text);
      expect(built.ms).toBeLessThan(BUDGET_MS);
      expect((built.outcome as { error: unknown }).error).toMatchObject({ code: expect.stringMatching(/^[A-Z_]+$/), message: expect.stringContaining('line is longer than 65536 bytes') });
    }
    await box.expectOutsideUntouched();
  });

  it('keeps a 1 MB instruction made of continuation lines within the budget', async () => {
    const text = `FROM scratch\nRUN ${'echo a \\\n'.repeat(MB / 8)}true\n`;
    const parsed = await timed(async () => parse(text, { file: 'Dockerfile' }));
    expect(parsed.ms).toBeLessThan(BUDGET_MS);
    expectTypedIfFailed(parsed.outcome);
  });

  it('expands ${a:-${a:-...}} nested 10,000 deep in ENV, ARG, FROM, COPY and LABEL without a stack overflow', async () => {
    const box = await sandbox(['context', 'cache', 'out']);
    await writeFile(path.join(box.dir('context'), 'deep'), 'deep file\n');
    const deep = nested(10_000, 'deep');
    const text = [`ARG base=${nested(10_000, 'scratch')}`, 'FROM $base', `ARG x=${deep}`, `ENV y=${deep}`, `LABEL z=${deep}`, `COPY ${deep} /copied`, ''].join('\n');
    const built = await buildText(box, text);
    expect(built.ms).toBeLessThan(BUDGET_MS);
    expectTypedIfFailed(built.outcome);
    expect('value' in built.outcome).toBe(true);
    await box.expectOutsideUntouched();
  });

  it('reports an unterminated 10,000-deep expansion as a typed error', async () => {
    const box = await sandbox(['context', 'cache', 'out']);
    const built = await buildText(box, `FROM scratch\nENV y=${nested(10_000, 'x').slice(0, -1)}\n`);
    expect(built.ms).toBeLessThan(BUDGET_MS);
    expect((built.outcome as { error: unknown }).error).toMatchObject({ code: expect.stringMatching(/^[A-Z_]+$/), message: expect.stringContaining("missing '}'") });
    expect((built.outcome as { error: unknown }).error).not.toBeInstanceOf(RangeError);
    await box.expectOutsideUntouched();
  });
});
