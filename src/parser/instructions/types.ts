import type { ParseError } from '../errors.js';
import type { SourceRange } from '../source-range.js';
import type { Heredoc, SyntaxNode } from '../syntax-tree.js';

/**
 * Typed instructions, BuildKit's `instructions` package in TypeScript. Every value is kept as written (variables
 * are expanded later by the builder, where BuildKit expands them); only the shape is decided here.
 */

export interface ToInstructionContext {
  /** Used in error locations. */
  file?: string;
  /** The file's escape character (from the `escape` directive). */
  escapeChar: '\\' | '`';
}

/** A value together with the place it was written. */
export interface Located<T = string> {
  value: T;
  range: SourceRange;
}

/** The program of RUN, CMD, ENTRYPOINT and HEALTHCHECK CMD. */
export type CommandLine =
  /** Shell form: run through the stage's SHELL. */
  | { form: 'shell'; text: string }
  /** Exec (JSON) form: the argument vector itself. */
  | { form: 'exec'; args: string[] };

interface InstructionBase<K extends string> {
  kind: K;
  node: SyntaxNode;
  /** The whole instruction. */
  range: SourceRange;
}

// ---------------------------------------------------------------------------------------------------------------
// FROM

export interface FromInstruction extends InstructionBase<'FROM'> {
  /** The base image reference or stage name, unexpanded. */
  image: Located;
  /** `AS name`, lower-cased as BuildKit does; the range is the name as written. */
  stageName: Located | undefined;
  /** `--platform`. */
  platform: Located | undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// RUN and its flags

export type MountType = 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
export type MountSharing = 'shared' | 'private' | 'locked';
export type NetworkMode = 'default' | 'none' | 'host';
export type SecurityMode = 'insecure' | 'sandbox';

/** One `key=value` of a mount whose value holds a `$`: kept as written and checked after expansion. */
export interface DeferredMountField {
  /** Lower-cased key. */
  key: string;
  value: string;
}

/** One `RUN --mount=...`, BuildKit's `instructions.Mount`. */
export interface Mount {
  /** The flag value, after the syntax layer's quote removal. */
  text: string;
  /** The `--mount` flag. */
  range: SourceRange;
  /** `bind` unless `type=` says otherwise (or `type` is deferred: see `deferred`). */
  type: MountType;
  /** `from`: a stage, image or build context to take the files from (bind, cache). */
  from: string | undefined;
  /** `source` / `src`. */
  source: string | undefined;
  /** `target` / `dst` / `destination`. */
  target: string | undefined;
  /** `readonly`/`ro`/`readwrite`/`rw`; when none is given: true for bind, secret and ssh, false for cache and tmpfs. */
  readOnly: boolean;
  /** `id`: the cache id, or the secret / ssh id. */
  id: string | undefined;
  /** `sharing` for cache mounts. */
  sharing: MountSharing | undefined;
  /** `required` for secret and ssh mounts. */
  required: boolean;
  /** `mode` (octal in the Dockerfile) for cache, secret and ssh mounts. */
  mode: number | undefined;
  uid: number | undefined;
  gid: number | undefined;
  /** `size` of a tmpfs mount, in bytes. */
  sizeLimit: number | undefined;
  /** `env`: expose a secret as this environment variable. */
  env: string | undefined;
  /**
   * Fields whose value holds a `$`. String fields above still carry the raw value; typed fields (type, readonly,
   * required, sharing, mode, uid, gid, size) are left at their defaults and unchecked. Once the builder has
   * expanded `text`, it parses it again with `parseMount(..., { deferVariables: false })`.
   */
  deferred: DeferredMountField[];
}

/** One `RUN --device=...`: a CDI device name, optionally required. */
export interface Device {
  text: string;
  range: SourceRange;
  name: string;
  required: boolean;
}

export interface RunInstruction extends InstructionBase<'RUN'> {
  command: CommandLine;
  /** The heredocs opened on the line, raw (`heredocContent` applies `<<-` tab stripping). */
  heredocs: Heredoc[];
  mounts: Mount[];
  network: Located<NetworkMode> | undefined;
  security: Located<SecurityMode> | undefined;
  devices: Device[];
}

export interface CmdInstruction extends InstructionBase<'CMD'> {
  command: CommandLine;
}

export interface EntrypointInstruction extends InstructionBase<'ENTRYPOINT'> {
  command: CommandLine;
}

// ---------------------------------------------------------------------------------------------------------------
// HEALTHCHECK

/** A Go duration flag: the text as written and its value in nanoseconds (`0` means "use the default"). */
export interface DurationFlag {
  text: string;
  nanoseconds: number;
  range: SourceRange;
}

export type Healthcheck =
  /** `HEALTHCHECK NONE`: disable any inherited check. */
  | { type: 'NONE' }
  | {
      type: 'CMD';
      command: CommandLine;
      interval: DurationFlag | undefined;
      timeout: DurationFlag | undefined;
      startPeriod: DurationFlag | undefined;
      startInterval: DurationFlag | undefined;
      retries: Located<number> | undefined;
    };

export interface HealthcheckInstruction extends InstructionBase<'HEALTHCHECK'> {
  healthcheck: Healthcheck;
}

// ---------------------------------------------------------------------------------------------------------------
// ENV, LABEL, ARG

export interface KeyValuePair {
  /** The key as written (quotes and escapes kept). */
  key: string;
  /** The value as written (quotes and escapes kept). */
  value: string;
  /** Written in the old `KEY value` form (no `=`). */
  legacy: boolean;
  keyRange: SourceRange;
  valueRange: SourceRange;
  /** From the key to the end of the value. */
  range: SourceRange;
}

export interface EnvInstruction extends InstructionBase<'ENV'> {
  pairs: KeyValuePair[];
}

export interface LabelInstruction extends InstructionBase<'LABEL'> {
  pairs: KeyValuePair[];
}

export interface ArgDeclaration {
  /** The name as written. */
  name: string;
  /** The text after the first `=`, quotes kept; undefined when there is no `=`. */
  defaultValue: string | undefined;
  /** The whole `name[=default]` word. */
  range: SourceRange;
}

export interface ArgInstruction extends InstructionBase<'ARG'> {
  args: ArgDeclaration[];
}

// ---------------------------------------------------------------------------------------------------------------
// COPY and ADD

/** A heredoc used as a source file: `COPY <<EOF /dest`. */
export interface HeredocSource {
  /** The file name (the heredoc name). */
  name: string;
  /** The body, with leading tabs already removed for `<<-`. */
  content: string;
  /** Whether the body is variable-expanded (no quotes in the name). */
  expand: boolean;
  heredoc: Heredoc;
  /** The `<<EOF` argument. */
  range: SourceRange;
}

interface SourcesAndDestination {
  /** Source paths and URLs, unexpanded, in order. */
  sources: Located[];
  heredocSources: HeredocSource[];
  destination: Located;
}

export interface CopyInstruction extends InstructionBase<'COPY'>, SourcesAndDestination {
  from: Located | undefined;
  chown: Located | undefined;
  chmod: Located | undefined;
  link: boolean;
  parents: boolean;
  exclude: Located[];
}

export interface AddInstruction extends InstructionBase<'ADD'>, SourcesAndDestination {
  chown: Located | undefined;
  chmod: Located | undefined;
  link: boolean;
  checksum: Located | undefined;
  keepGitDir: boolean;
  /** `--unpack`; undefined when not given (BuildKit then unpacks local archives only). */
  unpack: boolean | undefined;
  exclude: Located[];
}

// ---------------------------------------------------------------------------------------------------------------
// The rest

export interface MaintainerInstruction extends InstructionBase<'MAINTAINER'> {
  maintainer: Located;
}

export interface UserInstruction extends InstructionBase<'USER'> {
  user: Located;
}

export interface WorkdirInstruction extends InstructionBase<'WORKDIR'> {
  path: Located;
}

export interface StopsignalInstruction extends InstructionBase<'STOPSIGNAL'> {
  signal: Located;
}

export interface ExposeInstruction extends InstructionBase<'EXPOSE'> {
  /** Port specs as written (`80`, `53/udp`, `$PORT`), in source order. */
  ports: Located[];
}

export interface VolumeInstruction extends InstructionBase<'VOLUME'> {
  /** Paths, white space trimmed. */
  volumes: Located[];
}

export interface ShellInstruction extends InstructionBase<'SHELL'> {
  shell: string[];
}

export interface OnbuildInstruction extends InstructionBase<'ONBUILD'> {
  trigger: Instruction;
  /** The trigger as the image config stores it: the source text after `ONBUILD`, plus any heredoc bodies. */
  expression: string;
}

export type Instruction =
  | FromInstruction
  | RunInstruction
  | CmdInstruction
  | LabelInstruction
  | MaintainerInstruction
  | ExposeInstruction
  | EnvInstruction
  | AddInstruction
  | CopyInstruction
  | EntrypointInstruction
  | VolumeInstruction
  | UserInstruction
  | WorkdirInstruction
  | ArgInstruction
  | OnbuildInstruction
  | StopsignalInstruction
  | HealthcheckInstruction
  | ShellInstruction;

export type InstructionKind = Instruction['kind'];

/** The instruction of a given kind: `InstructionOf<'COPY'>` is `CopyInstruction`. */
export type InstructionOf<K extends InstructionKind> = Extract<Instruction, { kind: K }>;

export interface ToInstructionResult {
  /** Defined exactly when `errors` is empty. */
  instruction: Instruction | undefined;
  errors: ParseError[];
}
