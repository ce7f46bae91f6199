import { describe, expect, it } from 'vitest';
import { parse } from '../../../src/parser/index.js';
import {
  BuildError,
  BuildErrorCode,
  DockerfileInvalidError,
  ImageReferenceError,
  PlatformError,
  StageResolutionError,
} from '../../../src/builder/errors.js';
import { planBuild } from '../../../src/builder/plan/index.js';
import { plan } from './helpers.js';

function planError(text: string, options: Parameters<typeof plan>[1] = {}): BuildError {
  try {
    plan(text, options);
  } catch (error) {
    if (error instanceof BuildError) return error;
    throw error;
  }
  throw new Error('planned without error');
}

describe('stages', () => {
  it('numbers stages, lower-cases names and resolves bases', () => {
    const built = plan(`FROM alpine:3.20 AS Build
FROM build AS test
FROM scratch
FROM BUILD_IMAGE_IS_NOT_A_STAGE_REF_BUT_LOWER AS final
`.replace('BUILD_IMAGE_IS_NOT_A_STAGE_REF_BUT_LOWER', 'busybox'));
    expect(built.stages.map((stage) => [stage.index, stage.name, stage.id])).toEqual([
      [0, 'build', 'build'],
      [1, 'test', 'test'],
      [2, undefined, 'stage-2'],
      [3, 'final', 'final'],
    ]);
    expect(built.stages[0].base).toEqual({ kind: 'image', reference: 'alpine:3.20', normalized: 'docker.io/library/alpine:3.20' });
    expect(built.stages[1].base).toEqual({ kind: 'stage', stage: 0 });
    expect(built.stages[2].base).toEqual({ kind: 'scratch' });
    expect(built.stages[3].base).toMatchObject({ kind: 'image', normalized: 'docker.io/library/busybox:latest' });
  });

  it('matches a FROM stage name exactly, like BuildKit: an upper-case reference is an invalid image', () => {
    const error = planError('FROM alpine AS build\nFROM Build\n');
    expect(error).toBeInstanceOf(ImageReferenceError);
    expect(error.code).toBe(BuildErrorCode.InvalidImageReference);
    expect(error.message).toBe(
      'Dockerfile:2:1: failed to parse stage name "Build": invalid reference format: repository name (library/Build) must be lowercase. Stage "build" exists: FROM matches stage names exactly, in lower case (as BuildKit), so write build',
    );
  });

  it('reads a FROM naming a later stage as an image', () => {
    const built = plan('FROM later AS first\nFROM alpine AS later\n');
    expect(built.stages[0].base).toMatchObject({ kind: 'image', normalized: 'docker.io/library/later:latest' });
    expect(built.stages[0].dependsOn).toEqual([]);
  });

  it('expands FROM and --platform with global ARGs only, build args replacing defaults', () => {
    const built = plan(
      `ARG REGISTRY=docker.io
ARG IMAGE=\${REGISTRY}/library/node
ARG TAG=20
FROM --platform=$BUILDPLATFORM $IMAGE:$TAG AS build
ENV TAG=ignored
FROM \${IMAGE}:\${TAG}-slim
`,
      { buildArgs: { TAG: '22' } },
    );
    expect(built.stages[0].baseName).toBe('docker.io/library/node:22');
    expect(built.stages[0].platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(built.stages[0].usedGlobalArgs).toEqual(['BUILDPLATFORM', 'IMAGE', 'TAG']);
    expect(built.stages[1].baseName).toBe('docker.io/library/node:22-slim');
  });

  it('does not expand a build argument value given for a global ARG', () => {
    const built = plan('ARG A=one\nARG B=$A\nARG C=$B\nFROM alpine\n', { buildArgs: { B: '$A-literal' } });
    expect(built.variables.globalArgs.get('B')).toBe('$A-literal');
    expect(built.variables.globalArgs.get('C')).toBe('$A-literal');
    expect(() => plan('ARG A=one\nFROM alpine:$A\n', { buildArgs: { A: '${X' } })).toThrow(/invalid reference format/);
  });

  it('refuses a base name that expands to nothing', () => {
    const error = planError('ARG IMAGE\nFROM $IMAGE\n');
    expect(error).toBeInstanceOf(StageResolutionError);
    expect(error.code).toBe(BuildErrorCode.BlankBaseName);
    expect(error.detail).toBe('base name ($IMAGE) should not be blank');
    expect(error.location?.range.start.line).toBe(2);
  });

  it('refuses an empty or invalid --platform', () => {
    const empty = planError('FROM --platform=$NOPE alpine\n');
    expect(empty).toBeInstanceOf(PlatformError);
    expect(empty.detail).toBe('empty platform value from expression $NOPE');
    const bad = planError('FROM --platform=linux/amd64/v2/x alpine\n');
    expect(bad.code).toBe(BuildErrorCode.InvalidPlatform);
    expect(bad.message).toMatch(/^Dockerfile:1:1: failed to parse platform linux\/amd64\/v2\/x/);
  });

  it('normalises FROM --platform', () => {
    const built = plan('FROM --platform=linux/arm alpine\nFROM --platform=linux/arm64/v8 alpine\n');
    expect(built.stages[0].platform).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(built.stages[1].platform).toEqual({ os: 'linux', architecture: 'arm64' });
  });
});

describe('target', () => {
  it('defaults to the last stage and builds only what it needs', () => {
    const built = plan(`FROM alpine AS a
FROM alpine AS b
FROM a AS c
`);
    expect(built.target).toBe(2);
    expect(built.needed).toEqual([0, 2]);
    expect(built.order).toEqual([0, 2]);
  });

  it('finds --target case-insensitively', () => {
    const built = plan('FROM alpine AS build\nFROM alpine AS final\n', { target: 'BUILD' });
    expect(built.target).toBe(0);
    expect(built.needed).toEqual([0]);
  });

  it('refuses an unknown target, suggesting the closest name', () => {
    const error = planError('FROM alpine AS build\nFROM alpine AS final\n', { target: 'buidl' });
    expect(error).toBeInstanceOf(StageResolutionError);
    expect(error.code).toBe(BuildErrorCode.UnknownTarget);
    expect(error.message).toBe('target stage "buidl" could not be found. Did you mean "build"? Named stages: build, final');
    expect(planError('FROM alpine\n', { target: 'x' }).hint).toContain('has no named stage');
  });

  it('cannot target an unnamed stage by index', () => {
    expect(planError('FROM alpine\nFROM alpine\n', { target: '0' }).code).toBe(BuildErrorCode.UnknownTarget);
  });
});

describe('dependencies', () => {
  const multi = `FROM golang AS build
RUN go build
FROM node AS assets
RUN npm run build
FROM alpine AS unused
FROM scratch AS final
COPY --from=build /out/app /app
COPY --from=ASSETS /dist /www
COPY --from=1 /dist /www2
RUN --mount=type=bind,from=build,target=/src true
`;

  it('follows COPY --from by name (case-insensitive) and index, and mounts', () => {
    const built = plan(multi);
    const final = built.stages[3];
    expect(final.dependsOn).toEqual([0, 1]);
    expect(final.steps.map((step) => step.sources.map((source) => [source.via, source.text, source.source]))).toEqual([
      [['copy-from', 'build', { kind: 'stage', stage: 0 }]],
      [['copy-from', 'ASSETS', { kind: 'stage', stage: 1 }]],
      [['copy-from', '1', { kind: 'stage', stage: 1 }]],
      [['mount-from', 'build', { kind: 'stage', stage: 0 }]],
    ]);
    expect(built.needed).toEqual([0, 1, 3]);
  });

  it('groups independent stages so they can run concurrently', () => {
    const built = plan(multi);
    expect(built.levels).toEqual([[0, 1], [3]]);
    const chain = plan('FROM alpine AS a\nFROM a AS b\nFROM alpine AS c\nFROM b\nCOPY --from=c / /\n');
    expect(chain.levels).toEqual([[0, 2], [1], [3]]);
    expect(chain.order).toEqual([0, 1, 2, 3]);
  });

  it('reads unknown --from names and mount sources as images', () => {
    const built = plan(`FROM alpine
COPY --from=nginx:1.27 /etc/nginx /etc/nginx
RUN --mount=from=0,target=/x true
`);
    expect(built.stages[0].dependsOn).toEqual([]);
    expect(built.stages[0].externalSources).toEqual([
      { kind: 'image', reference: 'alpine', normalized: 'docker.io/library/alpine:latest' },
      { kind: 'image', reference: 'nginx:1.27', normalized: 'docker.io/library/nginx:1.27' },
      { kind: 'image', reference: '0', normalized: 'docker.io/library/0:latest' },
    ]);
  });

  it('refuses an invalid --from reference, a bad index and variables in --from', () => {
    const invalid = planError('FROM alpine AS build\nFROM alpine\nCOPY --from=Buidl / /\n');
    expect(invalid.code).toBe(BuildErrorCode.InvalidImageReference);
    expect(invalid.hint).toContain('Did you mean stage "build"?');
    expect(invalid.location?.range.start.line).toBe(3);

    const index = planError('FROM alpine\nCOPY --from=5 / /\n');
    expect(index.code).toBe(BuildErrorCode.InvalidStageIndex);
    expect(index.detail).toBe('invalid stage index 5');
    expect(planError('FROM alpine\nCOPY --from=-1 / /\n').detail).toBe('invalid stage index -1');

    const variable = planError('ARG SRC=build\nFROM alpine AS build\nFROM alpine\nCOPY --from=$SRC / /\n');
    expect(variable.code).toBe(BuildErrorCode.VariableInFrom);
    expect(variable.detail).toBe(
      'variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround',
    );
  });

  it('refuses copying from a later stage when it is built', () => {
    const text = 'FROM alpine AS a\nCOPY --from=b / /\nFROM alpine AS b\nFROM alpine AS c\n';
    const error = planError(text, { target: 'a' });
    expect(error.code).toBe(BuildErrorCode.StageUsedBeforeDefinition);
    expect(error.message).toBe(
      'Dockerfile:2:1: cannot copy from stage "b", it needs to be defined before current stage "a". Move stage "b" above stage "a" in the Dockerfile',
    );
    expect(plan(text).needed).toEqual([2]);
    const mount = planError('FROM alpine AS a\nRUN --mount=from=b,target=/b true\nFROM alpine AS b\n', { target: 'a' });
    expect(mount.detail).toBe('cannot mount from stage "b", it needs to be defined before current stage "a"');
  });

  it('refuses a stage depending on itself or a cycle, even outside the target', () => {
    const self = planError('FROM alpine AS a\nCOPY --from=a / /\nFROM alpine\n');
    expect(self.code).toBe(BuildErrorCode.CircularDependency);
    expect(self.detail).toBe('circular dependency detected on stage: a');
    expect(self.location?.range.start.line).toBe(2);
    const cycle = planError('FROM alpine AS a\nCOPY --from=b / /\nFROM alpine AS b\nCOPY --from=a / /\nFROM alpine\n');
    expect(cycle.detail).toBe('circular dependency detected on stage: a');
  });
});

describe('named build contexts', () => {
  it('replace a stage of the same name: its steps are not run', () => {
    const built = plan('FROM golang AS deps\nRUN --mount=from=tools,target=/t go mod download\nFROM alpine\nCOPY --from=deps /go /go\n', {
      buildContexts: { deps: 'docker-image://example/deps:1' },
    });
    expect(built.stages[0].replacedBy).toEqual({ name: 'deps', value: 'docker-image://example/deps:1' });
    expect(built.stages[0].base).toEqual({ kind: 'context', name: 'deps', value: 'docker-image://example/deps:1' });
    expect(built.stages[0].dependsOn).toEqual([]);
    expect(built.needed).toEqual([0, 1]);
  });

  it('replace images by their familiar name, with or without :latest, and per platform', () => {
    const built = plan(
      'FROM docker.io/library/alpine:latest\nCOPY --from=nginx:1.27 / /\nFROM --platform=linux/arm64 busybox\n',
      { buildContexts: new Map([['alpine', './alpine-rootfs'], ['nginx:1.27', 'oci-layout://nginx'], ['busybox::linux/arm64', 'dir']]) },
    );
    expect(built.stages[0].base).toEqual({ kind: 'context', name: 'alpine', value: './alpine-rootfs' });
    expect(built.stages[0].steps[0].sources[0].source).toEqual({ kind: 'context', name: 'nginx:1.27', value: 'oci-layout://nginx' });
    expect(built.stages[1].base).toEqual({ kind: 'context', name: 'busybox::linux/arm64', value: 'dir' });
  });

  it('never replace scratch', () => {
    expect(plan('FROM scratch\n', { buildContexts: { scratch: 'x' } }).stages[0].base).toEqual({ kind: 'scratch' });
  });
});

describe('duplicate stage names', () => {
  const text = 'FROM alpine AS base\nRUN echo one\nFROM alpine AS base\nRUN echo two\nFROM base AS child\nFROM alpine\nCOPY --from=base / /\n';

  it('are a warning, as in BuildKit, and the latest definition wins', () => {
    const built = plan(text);
    expect(built.warnings).toEqual([
      expect.objectContaining({ code: 'DUPLICATE_STAGE_NAME', message: 'Duplicate stage name "base", stage names should be unique' }),
    ]);
    expect(built.stages[2].base).toEqual({ kind: 'stage', stage: 1 });
    expect(built.stages[3].dependsOn).toEqual([1]);
  });

  it('can be made an error', () => {
    const error = planError(text, { duplicateStageNames: 'error' });
    expect(error.code).toBe(BuildErrorCode.DuplicateStageName);
    expect(error.location?.range.start.line).toBe(3);
  });

  it('compare names case-insensitively', () => {
    expect(plan('FROM alpine AS Base\nFROM alpine AS BASE\n').warnings[0].code).toBe('DUPLICATE_STAGE_NAME');
  });
});

describe('file-level errors', () => {
  it('refuses instructions other than ARG before the first FROM', () => {
    const error = planError('ARG A=1\nENV B=2\nFROM alpine\n');
    expect(error.code).toBe(BuildErrorCode.InstructionBeforeFrom);
    expect(error.message).toBe('Dockerfile:2:1: no build stage in current context. Only ARG may come before the first FROM; move this ENV below a FROM line');
  });

  it('refuses a file without FROM', () => {
    expect(planError('ARG A=1\n').code).toBe(BuildErrorCode.NoStages);
  });

  it('refuses a parse result with errors, keeping them', () => {
    const parsed = parse('FROM alpine\nCOPY onlyone\n', { file: 'app.Dockerfile' });
    let error: unknown;
    try {
      planBuild(parsed);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DockerfileInvalidError);
    expect((error as DockerfileInvalidError).code).toBe(BuildErrorCode.InvalidDockerfile);
    expect((error as DockerfileInvalidError).errors).toHaveLength(1);
    expect((error as DockerfileInvalidError).message).toMatch(/^app\.Dockerfile:2:1: COPY requires at least two arguments/);
  });

  it('uses the parse result\'s file name in locations', () => {
    const parsed = parse('FROM alpine\nFROM $MISSING\n', { file: 'build/Dockerfile.prod' });
    expect(() => planBuild(parsed)).toThrow(/^build\/Dockerfile\.prod:2:1: base name/);
  });
});
