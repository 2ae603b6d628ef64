// The jobs half of the Store, written once for both backends over SqlExecutor. The guarantees of
// DESIGN.md live here: a schedule's cursor moves in the transaction that inserts its runs, and unique
// keys make a duplicate fire impossible; a run is claimed under a lease whose token every later write
// must carry; the overlap policy is decided with the job row locked. One piece per thing stored.
import type { JobsStore } from '../store.ts';
import { createJobs } from './jobs.ts';
import { createLogs } from './logs.ts';
import { createOutbox } from './outbox.ts';
import { createPackages } from './packages.ts';
import { createPrune } from './prune.ts';
import { createRuns } from './runs.ts';
import { createShared } from './shared.ts';
import type { SqlExecutor } from './sql.ts';

export function createJobsRepository(db: SqlExecutor): JobsStore {
  const shared = createShared(db);
  return {
    ...createJobs(db, shared),
    ...createRuns(db, shared),
    ...createLogs(db),
    ...createPackages(db, shared),
    ...createOutbox(db),
    ...createPrune(db),
  };
}
