import type { Executor } from '../../executor/index.js';
import type { LayerChange } from '../../layers/index.js';
import { cacheKey } from '../cache-key.js';
import type { ExpandedOf } from '../plan/index.js';
import { StepErrorCode, StepProblem } from '../step-errors.js';
import { runKeyParts, type RunStepDefinition } from './run-key.js';
import type { RunMountContext } from './run-mounts.js';

export type Entitlement = 'network.host' | 'security.insecure';

/** What a RUN step needs from the build around it. */
export interface RunEnvironment {
  /** The executor, chosen (and its absence reported) the first time a RUN needs it. */
  executor: () => Promise<Executor>;
  mounts: RunMountContext;
  /** The network of RUN steps without `--network` (or with `--network=default`). */
  defaultNetwork: 'none' | 'host';
  allow: ReadonlySet<Entitlement>;
  signal: AbortSignal | undefined;
  onOutput: (stream: 'stdout' | 'stderr', text: string) => void;
  onRootfs: (mode: 'overlay' | 'copy', reason: string | undefined, executor: string) => void;
}

/** The network a RUN gets, checked against the build's entitlements as BuildKit does. */
function networkOf(step: ExpandedOf<'RUN'>, environment: RunEnvironment): 'none' | 'host' {
  if (step.network === 'host') {
    if (!environment.allow.has('network.host') && environment.defaultNetwork !== 'host') {
      throw new StepProblem(StepErrorCode.EntitlementRequired, 'network.host is not allowed', 'Allow it with --allow network.host (API: allow: ["network.host"])');
    }
    return 'host';
  }
  if (step.network === 'none') return 'none';
  return environment.defaultNetwork;
}

function checkSupported(step: ExpandedOf<'RUN'>, environment: RunEnvironment): void {
  if (step.security === 'insecure') {
    if (!environment.allow.has('security.insecure')) {
      throw new StepProblem(StepErrorCode.EntitlementRequired, 'security.insecure is not allowed', 'Allow it with --allow security.insecure');
    }
    throw new StepProblem(StepErrorCode.MountUnsupported, 'RUN --security=insecure (a privileged container) is not supported by this builder');
  }
  if (step.devices.length > 0) throw new StepProblem(StepErrorCode.MountUnsupported, 'RUN --device is not supported by this builder');
}

/**
 * A RUN step's cache key (parent key, command, environment, user, workdir, network, mount definitions and bind
 * contents; never secrets or cache-mount contents, as BuildKit) and, on a miss, how to run it over the parent's
 * filesystem and hand the changes on.
 */
export async function runStepWork(
  parentKey: string,
  definition: Omit<RunStepDefinition, 'network'>,
  environment: RunEnvironment,
): Promise<{ key: string; produce: <T>(parentRootfs: () => Promise<string | undefined>, useChanges: (changes: LayerChange[]) => Promise<T>) => Promise<T> }> {
  checkSupported(definition.step, environment);
  const full: RunStepDefinition = { ...definition, network: networkOf(definition.step, environment) };
  const key = cacheKey(parentKey, await runKeyParts(full, environment.mounts));
  return {
    key,
    produce: async (parentRootfs, useChanges) => {
      const executor = await environment.executor();
      // What runs a step (executor, overlay, changes) is loaded by the first RUN that misses the cache.
      const { executeRunStep } = await import('./run-step.js');
      return executeRunStep(
        full,
        await parentRootfs(),
        {
          executor,
          mounts: environment.mounts,
          signal: environment.signal,
          onOutput: environment.onOutput,
          onRootfs: environment.onRootfs,
        },
        useChanges,
      );
    },
  };
}
