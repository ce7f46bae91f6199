import path from 'node:path';
import { build, type BuildOptions, type BuildResult, type ProgressEvent } from '../../src/builder/index.js';
import { tempDirs } from '../fixtures/temp-dir.js';

/** Builds with a private cache dir unless one is given, collecting progress events. */
export function builder(prefix: string): {
  dir: () => Promise<string>;
  run: (options: BuildOptions) => Promise<{ result: BuildResult; events: ProgressEvent[] }>;
} {
  const dir = tempDirs(prefix);
  return {
    dir,
    run: async (options) => {
      const events: ProgressEvent[] = [];
      const result = await build({
        cacheDir: options.cacheDir ?? (await dir()),
        outputs: options.outputs ?? [{ type: 'oci-layout', dest: path.join(await dir(), 'out') }],
        ...options,
        onProgress: (event) => events.push(event),
      });
      return { result, events };
    },
  };
}

/** The names of the steps a build ran from cache, and those it ran. */
export function cachedSteps(result: BuildResult): { cached: string[]; ran: string[] } {
  return {
    cached: result.steps.filter((step) => step.cached).map((step) => step.name),
    ran: result.steps.filter((step) => !step.cached).map((step) => step.name),
  };
}
