import { parseMount, type Mount, type SourceRange } from '../../parser/index.js';
import { BuildErrorCode, InstructionValueError } from '../errors.js';
import { proxyEnvironment } from './build-args.js';
import type { ExpandedInstruction, InlineFile, KeyValue } from './expanded.js';
import { joinCsvRecord, splitCsvRecord } from './mount-fields.js';
import type { StageScope } from './stage-scope.js';
import type { PlannedStep, StepInstruction } from './types.js';
import { WordExpander, type VariableUse } from './word-expander.js';

export interface ExpansionResult {
  expanded: ExpandedInstruction;
  /** Variables the expanded fields referenced (for RUN: its mounts only; the shell sees `environment`). */
  used: VariableUse;
  /**
   * The build arguments this step's cache key depends on, with their values: for RUN every declared ARG (they are
   * all in its environment), for other steps the declared ARGs their expanded fields referenced.
   */
  cacheArgs: Array<{ name: string; value: string }>;
  /** The scope after the step: ARG and ENV change it, other steps return the same scope. */
  scope: StageScope;
}

function expandMount(mount: Mount, expander: WordExpander, file: string, location: SourceRange): Mount {
  const fields = splitCsvRecord(mount.text);
  if (fields === undefined) return mount;
  const expanded = fields.map((field) => {
    const equals = field.indexOf('=');
    return equals === -1 ? field : `${field.slice(0, equals + 1)}${expander.word(field.slice(equals + 1))}`;
  });
  const text = joinCsvRecord(expanded);
  if (text === mount.text && mount.deferred.length === 0) return mount;
  const result = parseMount(text, { range: mount.range, file, deferVariables: false });
  if (result.mount === undefined) {
    throw new InstructionValueError(BuildErrorCode.InvalidMount, result.errors[0]?.detail ?? `invalid mount ${text}`, {
      location: { file, range: location },
      hint: `The mount reads "${text}" once its variables are expanded; fix the value or the variables it uses`,
    });
  }
  return result.mount;
}

function expandHeredocs(sources: ReadonlyArray<{ name: string; content: string; expand: boolean }>, expander: WordExpander): InlineFile[] {
  return sources.map((source) => ({ name: source.name, content: source.expand ? expander.raw(source.content) : source.content }));
}

function expandPairs(pairs: ReadonlyArray<{ key: string; value: string }>, expander: WordExpander): KeyValue[] {
  return pairs.map((pair) => ({ key: expander.word(pair.key), value: expander.word(pair.value) }));
}

/** Go's `slices.Sort` on strings: byte order, which for these ASCII-like specs is code-unit order. */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Expands exactly the fields BuildKit expands for one instruction, with the stage's variables (base image Env,
 * ARG and ENV so far, in order). Returns the expanded instruction, the variables it referenced, the build
 * arguments its cache key depends on and the scope after it. Throws `VariableExpansionError` or
 * `InstructionValueError` located at the step (the FROM line for an ONBUILD trigger).
 */
export function expandInstruction(step: PlannedStep | StepInstruction, scope: StageScope): ExpansionResult {
  const instruction = 'instruction' in step ? step.instruction : step;
  const location = 'instruction' in step ? step.location : step.range;
  const { file, escapeChar, buildArgs, globalArgs } = scope.context;
  let current = scope;
  const expander = new WordExpander((name) => current.get(name), escapeChar, file, location);
  let expanded: ExpandedInstruction;

  switch (instruction.kind) {
    case 'ENV': {
      const pairs = expandPairs(instruction.pairs, expander);
      expanded = { kind: 'ENV', instruction, pairs };
      current = scope.withEnv(pairs);
      break;
    }
    case 'LABEL':
      expanded = { kind: 'LABEL', instruction, pairs: expandPairs(instruction.pairs, expander) };
      break;
    case 'ARG': {
      const args = [];
      for (const declaration of instruction.args) {
        let value = buildArgs.get(declaration.name);
        if (value === undefined && declaration.defaultValue !== undefined) value = expander.word(declaration.defaultValue);
        else if (value === undefined) value = globalArgs.get(declaration.name);
        const arg = { name: declaration.name, value };
        args.push(arg);
        current = current.withArg(arg);
      }
      expanded = { kind: 'ARG', instruction, args };
      break;
    }
    case 'WORKDIR':
      expanded = { kind: 'WORKDIR', instruction, path: expander.word(instruction.path.value) };
      break;
    case 'USER':
      expanded = { kind: 'USER', instruction, user: expander.word(instruction.user.value) };
      break;
    case 'VOLUME':
      expanded = { kind: 'VOLUME', instruction, volumes: instruction.volumes.map((volume) => expander.word(volume.value)) };
      break;
    case 'STOPSIGNAL':
      expanded = { kind: 'STOPSIGNAL', instruction, signal: expander.word(instruction.signal.value) };
      break;
    case 'EXPOSE': {
      const written = instruction.ports.map((port) => port.value).sort(byteOrder);
      expanded = { kind: 'EXPOSE', instruction, ports: written.flatMap((port) => expander.words(port)) };
      break;
    }
    case 'COPY': {
      const chown = instruction.chown === undefined ? undefined : expander.word(instruction.chown.value);
      const chmod = instruction.chmod === undefined ? undefined : expander.word(instruction.chmod.value);
      const sources = instruction.sources.map((source) => expander.word(source.value));
      const destination = expander.word(instruction.destination.value);
      expanded = {
        kind: 'COPY',
        instruction,
        from: instruction.from?.value,
        sources,
        heredocs: expandHeredocs(instruction.heredocSources, expander),
        destination,
        chown,
        chmod,
        link: instruction.link,
        parents: instruction.parents,
        exclude: instruction.exclude.map((pattern) => pattern.value),
      };
      break;
    }
    case 'ADD': {
      const chown = instruction.chown === undefined ? undefined : expander.word(instruction.chown.value);
      const chmod = instruction.chmod === undefined ? undefined : expander.word(instruction.chmod.value);
      const checksum = instruction.checksum === undefined ? undefined : expander.word(instruction.checksum.value);
      const sources = instruction.sources.map((source) => expander.word(source.value));
      const destination = expander.word(instruction.destination.value);
      expanded = {
        kind: 'ADD',
        instruction,
        sources,
        heredocs: expandHeredocs(instruction.heredocSources, expander),
        destination,
        chown,
        chmod,
        checksum,
        link: instruction.link,
        keepGitDir: instruction.keepGitDir,
        unpack: instruction.unpack,
        exclude: instruction.exclude.map((pattern) => pattern.value),
      };
      break;
    }
    case 'RUN': {
      const mounts = instruction.mounts.map((mount) => expandMount(mount, expander, file, location));
      const environment = scope.environment();
      const present = new Set(environment.map((entry) => entry.slice(0, entry.indexOf('='))));
      expanded = {
        kind: 'RUN',
        instruction,
        command: instruction.command,
        heredocs: instruction.heredocs,
        mounts,
        network: instruction.network?.value,
        security: instruction.security?.value,
        devices: instruction.devices,
        environment,
        proxyEnvironment: proxyEnvironment(buildArgs).filter((entry) => !present.has(entry.slice(0, entry.indexOf('=')))),
        args: scope.declaredArgs(),
      };
      break;
    }
    case 'CMD':
      expanded = { kind: 'CMD', instruction, command: instruction.command };
      break;
    case 'ENTRYPOINT':
      expanded = { kind: 'ENTRYPOINT', instruction, command: instruction.command };
      break;
    case 'HEALTHCHECK':
      expanded = { kind: 'HEALTHCHECK', instruction, healthcheck: instruction.healthcheck };
      break;
    case 'SHELL':
      expanded = { kind: 'SHELL', instruction, shell: instruction.shell };
      break;
    case 'MAINTAINER':
      expanded = { kind: 'MAINTAINER', instruction, maintainer: instruction.maintainer.value };
      break;
    case 'ONBUILD':
      expanded = { kind: 'ONBUILD', instruction, expression: instruction.expression };
      break;
  }

  const used = expander.used();
  const valuesFrom = instruction.kind === 'ARG' ? current : scope;
  const declared = new Set(valuesFrom.args.map((arg) => arg.name));
  const cacheArgs = instruction.kind === 'RUN'
    ? scope.declaredArgs()
    : used.matched.filter((name) => declared.has(name)).map((name) => ({ name, value: valuesFrom.get(name) ?? '' }));
  return { expanded, used, cacheArgs, scope: current };
}
