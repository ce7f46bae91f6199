/**
 * Parser throughput: build-image's parser against the npm package dockerfile-ast, in the same process and run,
 * on the same generated 10,000-instruction Dockerfile. Both fully materialise instructions, flags and arguments.
 * Usage: node bench/parse/parse.bench.mjs [--instructions N] [--rounds N]   (after `npm run build`)
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DockerfileParser } from 'dockerfile-ast';
import { parse } from '../../dist/index.js';
import { generateDockerfile } from './generate-dockerfile.mjs';

const { values } = parseArgs({ options: { instructions: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '15' } } });
const instructionCount = Number(values.instructions);
const rounds = Number(values.rounds);
const text = generateDockerfile(instructionCount);

function materialiseOurs() {
  const result = parse(text);
  if (result.errors.length > 0) throw new Error(`unexpected parse errors: ${result.errors.slice(0, 3).join('; ')}`);
  let touched = 0;
  for (const instruction of result.instructions) {
    const node = instruction.node;
    touched += node.keyword.length;
    for (const flag of node.flags) touched += flag.name.length + (flag.value?.length ?? 0);
    for (const arg of node.args) touched += arg.value.length;
    for (const heredoc of node.heredocs) touched += heredoc.content.length;
  }
  return { count: result.instructions.length, touched };
}

function materialiseDockerfileAst() {
  const dockerfile = DockerfileParser.parse(text);
  let touched = 0;
  let count = 0;
  for (const instruction of dockerfile.getInstructions()) {
    count++;
    touched += instruction.getKeyword().length;
    for (const arg of instruction.getArguments()) touched += arg.getValue().length;
    if (typeof instruction.getFlags === 'function') {
      for (const flag of instruction.getFlags()) {
        touched += flag.getName().length + (flag.getValue()?.length ?? 0);
        for (const option of flag.getOptions()) touched += option.getName().length + (option.getValue()?.length ?? 0);
      }
    }
    if (typeof instruction.getProperties === 'function') {
      for (const property of instruction.getProperties()) touched += property.getName().length + (property.getValue()?.length ?? 0);
    }
    if (typeof instruction.getJSONStrings === 'function') {
      for (const json of instruction.getJSONStrings()) touched += json.getValue().length;
    }
    if (typeof instruction.getHeredocs === 'function') {
      for (const heredoc of instruction.getHeredocs()) touched += heredoc.getName().length + (heredoc.getContentRange() ? 1 : 0);
    }
  }
  return { count, touched };
}

function measure(name, run) {
  for (let warm = 0; warm < 3; warm++) run();
  const times = [];
  let count = 0;
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    count = run().count;
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  return { name, count, medianMs: median, perSecond: (count / median) * 1000 };
}

const ours = measure('build-image', materialiseOurs);
const peer = measure('dockerfile-ast', materialiseDockerfileAst);
const ratio = ours.perSecond / peer.perSecond;
const report = {
  bench: 'parse',
  instructions: instructionCount,
  bytes: Buffer.byteLength(text),
  rounds,
  node: process.version,
  results: [ours, peer].map((r) => ({ ...r, medianMs: Number(r.medianMs.toFixed(2)), perSecond: Math.round(r.perSecond) })),
  ratio: Number(ratio.toFixed(2)),
  targets: { ratioAtLeast: 4, perSecondAbove: 100_000 },
  met: ratio >= 4 && ours.perSecond > 100_000,
};
console.log(`parse: build-image ${Math.round(ours.perSecond)} instructions/s (median ${ours.medianMs.toFixed(1)} ms for ${ours.count})`);
console.log(`parse: dockerfile-ast ${Math.round(peer.perSecond)} instructions/s (median ${peer.medianMs.toFixed(1)} ms for ${peer.count})`);
console.log(`parse: ratio ${ratio.toFixed(2)}x (target >= 4x and > 100,000/s: ${report.met ? 'met' : 'NOT met'})`);
console.log(JSON.stringify(report));
