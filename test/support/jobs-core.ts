// The jobs core on real parts, without a scheduler: a SQLite store in memory, the events, a package
// store and a runner over a directory, and the jobs service. Runs made through it stay queued unless
// `claimOnPoke` stands in for the scheduler (every poke claims what is due and starts it).
import path from 'node:path';
import { systemClock } from '../../src/clock.ts';
import { createJobsEvents, type JobsEvents } from '../../src/jobs/events.ts';
import { createJobsService, type JobsService } from '../../src/jobs/jobs-service.ts';
import { leaseTiming } from '../../src/jobs/lease-timing.ts';
import { createPackageStore } from '../../src/jobs/process/packages.ts';
import { createRunner, type Runner } from '../../src/jobs/runner.ts';
import { silentLogger, type Logger } from '../../src/logger.ts';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';

export interface JobsCore {
  readonly store: Store;
  readonly events: JobsEvents;
  readonly runner: Runner;
  readonly jobs: JobsService;
  readonly nodeId: string;
}

export async function createJobsCore(
  dir: string,
  opts: {
    slots?: number;
    baseEnv?: Record<string, string>;
    logger?: Logger;
    claimOnPoke?: boolean;
  } = {},
): Promise<JobsCore> {
  const store = createSqliteStore({ path: ':memory:' });
  await store.migrate();
  const events = createJobsEvents(() => {});
  const packages = createPackageStore(path.join(dir, 'packages'));
  const nodeId = 'test-node';
  const runner = createRunner({
    store,
    events,
    packages,
    logger: opts.logger ?? silentLogger(),
    clock: systemClock,
    nodeId,
    workRoot: path.join(dir, 'work'),
    baseEnv: opts.baseEnv ?? {},
    config: { slots: opts.slots ?? 1, logCapBytes: 1 << 20, lease: leaseTiming(30_000) },
    onSlotFree: () => {},
    onRunEnded: () => {},
  });
  const claim = async (): Promise<void> => {
    const { claimed } = await store.claimRuns(nodeId, runner.free(), Date.now() + 1000, 0, 30_000);
    for (const c of claimed) runner.start(c);
  };
  const jobs = createJobsService({
    store,
    events,
    runner,
    packages,
    clock: systemClock,
    defaultTz: 'UTC',
    poke: opts.claimOnPoke === true ? () => void claim() : () => {},
  });
  return { store, events, runner, jobs, nodeId };
}
