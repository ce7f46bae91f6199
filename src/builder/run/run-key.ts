import type { RunCommand } from '../config/index.js';
import type { ExpandedOf } from '../plan/index.js';
import { mountKeyPart, type RunMountContext } from './run-mounts.js';

export interface RunStepDefinition {
  step: ExpandedOf<'RUN'>;
  command: RunCommand;
  /** The image config's User and WorkingDir when the step runs. */
  user: string | undefined;
  workdir: string;
  network: 'none' | 'host';
}

/** What RUN's cache key covers: the command, environment, user, workdir, network and the mounts' definitions. */
export async function runKeyParts(definition: RunStepDefinition, mounts: RunMountContext): Promise<unknown[]> {
  const { step, command } = definition;
  return [
    'RUN',
    {
      args: command.args,
      file: command.file ?? null,
      env: step.environment,
      user: definition.user ?? '',
      workdir: definition.workdir,
      network: definition.network,
      security: step.security ?? 'sandbox',
    },
    await Promise.all(step.mounts.map((mount) => mountKeyPart(mount, mounts))),
  ];
}
