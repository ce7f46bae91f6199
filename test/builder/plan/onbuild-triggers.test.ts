import { describe, expect, it } from 'vitest';
import { BuildErrorCode, OnbuildTriggerError, StageResolutionError, VariableExpansionError } from '../../../src/builder/errors.js';
import { parseOnbuildTriggers, withBaseImageTriggers } from '../../../src/builder/plan/index.js';
import { createdBy, plan, simulate } from './helpers.js';

const at = { file: 'Dockerfile', range: { start: { line: 4, column: 1, offset: 40 }, end: { line: 4, column: 12, offset: 51 } } };

function triggerError(triggers: string[]): OnbuildTriggerError {
  try {
    parseOnbuildTriggers(triggers, at);
  } catch (error) {
    if (error instanceof OnbuildTriggerError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('parseOnbuildTriggers', () => {
  it('parses each stored trigger into one instruction', () => {
    const instructions = parseOnbuildTriggers(['RUN echo hi', 'COPY --from=build /out /app', 'COPY <<EOF /etc/motd\nhello\nEOF'], at);
    expect(instructions.map((instruction) => instruction.kind)).toEqual(['RUN', 'COPY', 'COPY']);
    const heredoc = instructions[2];
    expect(heredoc.kind === 'COPY' && heredoc.heredocSources.map((source) => source.content)).toEqual(['hello\n']);
  });

  it('refuses nested ONBUILD, FROM and MAINTAINER triggers, at the FROM line', () => {
    const nested = triggerError(['ONBUILD RUN x']);
    expect(nested.code).toBe(BuildErrorCode.InvalidOnbuildTrigger);
    expect(nested.message).toBe(
      'Dockerfile:4:1: ONBUILD trigger "ONBUILD RUN x": Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed. Remove this trigger from the base image; it cannot run in a child build',
    );
    expect(triggerError(['FROM alpine']).detail).toContain("FROM isn't allowed as an ONBUILD trigger");
    expect(triggerError(['maintainer me']).detail).toContain("MAINTAINER isn't allowed as an ONBUILD trigger");
  });

  it('refuses triggers that are not exactly one valid instruction', () => {
    expect(triggerError(['RUN a\nRUN b']).detail).toContain('onbuild trigger should be a single expression');
    expect(triggerError(['COPY onlyone']).detail).toContain('COPY requires at least two arguments');
    expect(triggerError(['BOGUS x']).detail).toContain('unknown instruction');
  });
});

describe('triggers of a base stage', () => {
  const text = `FROM alpine AS tools
FROM alpine AS base
ONBUILD RUN echo from-base
ONBUILD COPY --from=tools /bin/tool /usr/bin/
RUN echo base-only
FROM base AS child
RUN echo child
FROM child AS grandchild
`;

  it('run first in the child, located at its FROM, adding their dependencies', () => {
    const built = plan(text, { target: 'child' });
    const child = built.stages[2];
    expect(child.steps.map((step) => [step.instruction.kind, step.onbuild, step.location.start.line])).toEqual([
      ['RUN', true, 6],
      ['COPY', true, 6],
      ['RUN', false, 7],
    ]);
    expect(child.dependsOn).toEqual([0, 1]);
    expect(built.needed).toEqual([0, 1, 2]);
  });

  it('are not run by the stage that declares them, and are not passed further down', () => {
    const built = plan(text);
    expect(built.stages[1].steps.every((step) => !step.onbuild)).toBe(true);
    expect(built.stages[3].steps).toEqual([]);
  });

  it('are stored in the declaring stage\'s config and cleared in the child\'s', () => {
    const { stages } = simulate(text);
    expect(stages.get(1)?.image.config.OnBuild).toEqual(['RUN echo from-base', 'COPY --from=tools /bin/tool /usr/bin/']);
    expect(stages.get(2)?.image.config.OnBuild).toBeUndefined();
    expect(createdBy(stages.get(2) as never).slice(-3)).toEqual([
      'RUN /bin/sh -c echo from-base # buildkit',
      'COPY /bin/tool /usr/bin/ # buildkit',
      'RUN /bin/sh -c echo child # buildkit',
    ]);
  });

  it('report expansion errors at the FROM that runs them', () => {
    expect(() => simulate('FROM alpine AS base\nONBUILD WORKDIR ${NOPE:?needed}\nFROM base\n')).toThrow(VariableExpansionError);
    expect(() => simulate('FROM alpine AS base\nONBUILD WORKDIR ${NOPE:?needed}\nFROM base\n')).toThrow(/^Dockerfile:3:1: /);
  });
});

describe('triggers of a base image', () => {
  const images = {
    'docker.io/library/node-onbuild:latest': {
      config: { Env: ['PATH=/usr/bin', 'NODE_ENV=production'], OnBuild: ['COPY package.json /app/', 'RUN npm install', 'COPY --from=assets /dist /app/dist'] },
      history: [{ created_by: 'base layer' }],
    },
  };
  const text = 'FROM alpine AS assets\nFROM alpine AS unrelated\nFROM node-onbuild\nRUN npm test\n';

  it('are added once the image config is known, with their dependencies', () => {
    const built = plan(text);
    expect(built.needed).toEqual([2]);
    const updated = withBaseImageTriggers(built, 2, images['docker.io/library/node-onbuild:latest'].config.OnBuild);
    expect(updated.stages[2].steps.map((step) => [step.instruction.kind, step.onbuild])).toEqual([
      ['COPY', true],
      ['RUN', true],
      ['COPY', true],
      ['RUN', false],
    ]);
    expect(updated.needed).toEqual([0, 2]);
    expect(updated.levels).toEqual([[0], [2]]);
    expect(built.stages[2].steps).toHaveLength(1);
    expect(withBaseImageTriggers(updated, 2, ['RUN again'])).toBe(updated);
  });

  it('run before the stage\'s steps, and the image\'s OnBuild is not kept', () => {
    const { target } = simulate(text, { images });
    expect(createdBy(target)).toEqual([
      'base layer',
      'COPY package.json /app/ # buildkit',
      'RUN /bin/sh -c npm install # buildkit',
      'COPY /dist /app/dist # buildkit',
      'RUN /bin/sh -c npm test # buildkit',
    ]);
    expect(target.image.config.OnBuild).toBeUndefined();
  });

  it('are checked like any step: a trigger copying from a later stage fails', () => {
    const built = plan('FROM node-onbuild AS app\nFROM alpine AS assets\n', { target: 'app' });
    expect(() => withBaseImageTriggers(built, 0, ['COPY --from=assets / /'])).toThrow(StageResolutionError);
  });

  it('are ignored for a stage built on another stage (its triggers are already planned)', () => {
    const built = plan('FROM alpine AS base\nFROM base\n');
    expect(withBaseImageTriggers(built, 1, ['RUN echo x'])).toBe(built);
    expect(withBaseImageTriggers(built, 0, [])).toBe(built);
  });

  it('count their ARGs as consuming build arguments', () => {
    const built = plan('FROM node-onbuild\n', { buildArgs: { NPM_TOKEN: 'x' } });
    expect(built.unusedBuildArgs).toEqual(['NPM_TOKEN']);
    const updated = withBaseImageTriggers(built, 0, ['ARG NPM_TOKEN']);
    expect(updated.unusedBuildArgs).toEqual([]);
    expect(updated.warnings).toEqual([]);
  });
});
