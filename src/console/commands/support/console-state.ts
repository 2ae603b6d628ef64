// What the console's commands share for the agent's life (one per command registry): the GC counter
// that dashboard, jvm and perfcounter read, and the console options that several commands default to.
import type { Config } from '../../../config.ts';
import { createConsoleOptions, type ConsoleOptions } from './console-options.ts';
import { createGcStats, type GcStats } from './gc-stats.ts';

export interface ConsoleState {
  readonly gc: GcStats;
  /** Made on first use, from the agent's configuration (its limits are shown read-only). */
  options(config: Config): ConsoleOptions;
}

export function createConsoleState(): ConsoleState {
  const gc = createGcStats();
  let options: ConsoleOptions | undefined;
  return {
    gc,
    options: (config) => (options ??= createConsoleOptions(config)),
  };
}
