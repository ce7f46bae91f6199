import { describe, expect, it } from 'vitest';
import { createProgressRenderer } from '../../../src/cli/progress/index.js';
import { capture, successfulBuild } from './helpers.js';

describe('json progress', () => {
  it('prints one JSON object per line per event', () => {
    const out = capture();
    const renderer = createProgressRenderer('json', out);
    const events = successfulBuild();
    for (const event of events) renderer.event(event);
    renderer.end();
    const lines = out.text().split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(events.length);
    expect(lines.map((line) => JSON.parse(line))).toEqual(events);
  });

  it('prints nothing in quiet mode', () => {
    const out = capture();
    const renderer = createProgressRenderer('quiet', out);
    for (const event of successfulBuild()) renderer.event(event);
    renderer.end();
    expect(out.text()).toBe('');
  });
});
