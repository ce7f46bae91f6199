import type {
  AddInstruction,
  ArgInstruction,
  CmdInstruction,
  CommandLine,
  CopyInstruction,
  Device,
  EntrypointInstruction,
  EnvInstruction,
  ExposeInstruction,
  Healthcheck,
  HealthcheckInstruction,
  Heredoc,
  LabelInstruction,
  MaintainerInstruction,
  Mount,
  NetworkMode,
  OnbuildInstruction,
  RunInstruction,
  SecurityMode,
  ShellInstruction,
  StopsignalInstruction,
  UserInstruction,
  VolumeInstruction,
  WorkdirInstruction,
} from '../../parser/index.js';
import type { ScopeArg } from './stage-scope.js';

export interface KeyValue {
  key: string;
  value: string;
}

/** A COPY/ADD heredoc source: the file name and its body, expanded when the heredoc allows it. */
export interface InlineFile {
  name: string;
  content: string;
}

/**
 * An instruction with exactly the fields BuildKit expands replaced by their expanded values. The original is in
 * `instruction`; fields BuildKit leaves alone (RUN/CMD/ENTRYPOINT commands, SHELL, HEALTHCHECK, ONBUILD,
 * MAINTAINER, `--from`, `--exclude`...) are carried as written.
 */
export type ExpandedInstruction =
  | { kind: 'ENV'; instruction: EnvInstruction; pairs: KeyValue[] }
  | { kind: 'LABEL'; instruction: LabelInstruction; pairs: KeyValue[] }
  /** Each ARG with the value it got: `--build-arg`, else its expanded default, else the global value, else none. */
  | { kind: 'ARG'; instruction: ArgInstruction; args: ScopeArg[] }
  | { kind: 'WORKDIR'; instruction: WorkdirInstruction; path: string }
  | { kind: 'USER'; instruction: UserInstruction; user: string }
  | { kind: 'VOLUME'; instruction: VolumeInstruction; volumes: string[] }
  | { kind: 'STOPSIGNAL'; instruction: StopsignalInstruction; signal: string }
  /** Port specs sorted as written (as BuildKit), then expanded and split into words; not yet validated. */
  | { kind: 'EXPOSE'; instruction: ExposeInstruction; ports: string[] }
  | {
      kind: 'COPY';
      instruction: CopyInstruction;
      /** `--from` as written (BuildKit refuses variables in it). */
      from: string | undefined;
      sources: string[];
      heredocs: InlineFile[];
      destination: string;
      chown: string | undefined;
      chmod: string | undefined;
      link: boolean;
      parents: boolean;
      exclude: string[];
    }
  | {
      kind: 'ADD';
      instruction: AddInstruction;
      sources: string[];
      heredocs: InlineFile[];
      destination: string;
      chown: string | undefined;
      chmod: string | undefined;
      checksum: string | undefined;
      link: boolean;
      keepGitDir: boolean;
      unpack: boolean | undefined;
      exclude: string[];
    }
  | {
      kind: 'RUN';
      instruction: RunInstruction;
      /** Not expanded: the shell does it, with the variables below in its environment. */
      command: CommandLine;
      /** As written; `<<-` tab stripping is left to whoever runs them. */
      heredocs: Heredoc[];
      /** Every `key=value` of each mount expanded, then parsed and checked again. */
      mounts: Mount[];
      network: NetworkMode | undefined;
      security: SecurityMode | undefined;
      devices: Device[];
      /** The process environment, `KEY=value`: base image Env, ENV and ARG values in BuildKit's order. Part of the cache key. */
      environment: string[];
      /** HTTP(S)_PROXY & co. from build arguments (both spellings), not already in `environment`. Not part of the cache key. */
      proxyEnvironment: string[];
      /** Declared ARGs with their values, as the history line `RUN |N K=V ... cmd` lists them. */
      args: Array<{ name: string; value: string }>;
    }
  | { kind: 'CMD'; instruction: CmdInstruction; command: CommandLine }
  | { kind: 'ENTRYPOINT'; instruction: EntrypointInstruction; command: CommandLine }
  | { kind: 'HEALTHCHECK'; instruction: HealthcheckInstruction; healthcheck: Healthcheck }
  | { kind: 'SHELL'; instruction: ShellInstruction; shell: string[] }
  | { kind: 'MAINTAINER'; instruction: MaintainerInstruction; maintainer: string }
  /** The trigger text the image config keeps. */
  | { kind: 'ONBUILD'; instruction: OnbuildInstruction; expression: string };

export type ExpandedOf<K extends ExpandedInstruction['kind']> = Extract<ExpandedInstruction, { kind: K }>;
