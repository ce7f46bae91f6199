import { nonEnvironmentArgs } from './build-args.js';
import type { VariableContext } from './types.js';

/** An ARG in scope: the name as written and its value, undefined when it has none. */
export interface ScopeArg {
  name: string;
  value: string | undefined;
}

/** `KEY=value` split at the first `=` (a missing `=` means an empty value), as BuildKit's `parseKeyValue`. */
export function splitEnvEntry(entry: string): [string, string] {
  const equals = entry.indexOf('=');
  return equals === -1 ? [entry, ''] : [entry.slice(0, equals), entry.slice(equals + 1)];
}

/**
 * The variables one stage sees at one point, as BuildKit keeps them in its LLB state: a single ordered
 * environment where the base image's `Env`, ARG values and ENV values go in the order they happen (a later one
 * replaces an earlier one of the same name, and moves to the end), plus the list of ARGs declared so far, which
 * RUN records in the history and carries into its environment. Immutable: every change returns a new scope.
 */
export class StageScope {
  private constructor(
    readonly context: VariableContext,
    private readonly values: ReadonlyMap<string, string>,
    /** ARGs in declaration order: a base stage's first, then this stage's (BuildKit's `buildArgs`). */
    readonly args: readonly ScopeArg[],
  ) {}

  /**
   * The scope at the start of a stage. `env` is the base image config's `Env` (with PATH ensured); for a stage
   * built on another stage, pass that stage's final scope as `parent`: its variables and ARGs carry over, then
   * the config's `Env` entries are set again on top, as BuildKit does.
   */
  static start(context: VariableContext, base: { env?: readonly string[]; parent?: StageScope } = {}): StageScope {
    const values = new Map(base.parent?.values ?? []);
    for (const entry of base.env ?? []) {
      const [key, value] = splitEnvEntry(entry);
      values.delete(key);
      values.set(key, value);
    }
    return new StageScope(context, values, [...(base.parent?.args ?? [])]);
  }

  /** A variable's value for expansion, undefined when unset. */
  get(name: string): string | undefined {
    return this.values.get(name);
  }

  /** The environment RUN gets (and its cache key includes), `KEY=value` in BuildKit's order. */
  environment(): string[] {
    return [...this.values].map(([key, value]) => `${key}=${value}`);
  }

  /** After ENV: each pair set in order. */
  withEnv(pairs: ReadonlyArray<{ key: string; value: string }>): StageScope {
    const values = new Map(this.values);
    for (const { key, value } of pairs) {
      values.delete(key);
      values.set(key, value);
    }
    return new StageScope(this.context, values, this.args);
  }

  /** After one ARG declaration: recorded, and set in the environment when it has a value. */
  withArg(arg: ScopeArg): StageScope {
    let values = this.values;
    if (arg.value !== undefined && !nonEnvironmentArgs.has(arg.name)) {
      const next = new Map(values);
      next.delete(arg.name);
      next.set(arg.name, arg.value);
      values = next;
    }
    return new StageScope(this.context, values, [...this.args, arg]);
  }

  /**
   * The declared ARGs as RUN reports them (BuildKit's `runCommandString`): one entry per name in first-declaration
   * order, valued from the environment (so a later ENV of the same name shows) or else the ARG's own value or ''.
   */
  declaredArgs(): Array<{ name: string; value: string }> {
    const out = new Map<string, string>();
    for (const arg of this.args) out.set(arg.name, this.values.get(arg.name) ?? arg.value ?? '');
    return [...out].map(([name, value]) => ({ name, value }));
  }
}
