// Retention: finished runs past their age or their job's count go, then the oldest logs until the
// stored logs fit the budget. Every step is a bounded batch in a short transaction of its own, with
// the event loop free between two (issue 25): a pass over a million runs never holds an embedded
// agent's loop, nor locks rows for long in a cluster. A pass is not atomic, and need not be: each
// batch deletes only what the policy says must go.
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobsStore, PrunePolicy } from '../store.ts';
import { num } from './rows.ts';
import { type SqlExecutor } from './sql.ts';

export type PrunePart = Pick<JobsStore, 'prune'>;

/**
 * Between two batches: a few ms, not just a turn of the loop. Retention is in no hurry, and a pass
 * over a long history right after start then takes a share of the CPU rather than all of it.
 */
const pause = (): Promise<void> => sleep(PAUSE_MS);
const PAUSE_MS = 5;

/** Runs deleted per statement. */
const DELETE_BATCH = 500;
/** Jobs whose runs are counted per statement (through the (job_id, id) index alone). */
const JOBS_BATCH = 200;
/** Runs whose stored log bytes are summed per statement (through the runs_logs index alone). */
const SUM_BATCH = 5000;

export function createPrune(db: SqlExecutor): PrunePart {
  async function byAge(policy: PrunePolicy, signal?: AbortSignal): Promise<number> {
    let runs = 0;
    while (!signal?.aborted) {
      const n = await db.tx('prune old runs', (tx) =>
        tx.run(
          `delete from runs where id in (select id from runs
             where finished_at is not null and finished_at < $1 limit $2)`,
          [tx.now - policy.maxAgeMs, DELETE_BATCH],
        ),
      );
      runs += n;
      if (n < DELETE_BATCH) break;
      await pause();
    }
    return runs;
  }

  async function byCount(policy: PrunePolicy, signal?: AbortSignal): Promise<number> {
    let runs = 0;
    let after = -1;
    while (!signal?.aborted) {
      // All runs of a range of jobs counted from the index: a job with no more runs than it keeps
      // (most of them) needs nothing more; finished ones are counted only for the others.
      // keep_runs is the spec's keepRuns as a column: no spec is read or parsed here. Only the jobs
      // over their count come back, then a row with the range's end and size: a pass over
      // 100,000 jobs reads a few hundred rows, not 100,000 (on PostgreSQL, reading every count
      // grew the agent's young generation and its RSS by ~30 MiB for good). `last` orders the
      // range's row after the others.
      const rows = await db.autocommit('count runs per job', (q) =>
        q.all(
          `with b as (select id, keep_runs from jobs where id > $1 order by id limit $2),
             c as (select b.id, case when b.keep_runs > 0 then b.keep_runs else $3 end as keep,
                     (select count(*) from runs r where r.job_id = b.id) as n from b)
           select 0 as last, id, keep, n from c where n > keep
           union all select 1, max(id), count(*), null from b
           order by last`,
          [after, JOBS_BATCH, policy.keepRuns],
        ),
      );
      const end = rows.at(-1);
      if (end === undefined || end.id === null) break;
      after = num(end.id);
      for (const row of rows.slice(0, -1)) {
        const keep = num(row.keep);
        // The finished runs past the newest `keep`, a batch at a time from the oldest.
        for (;;) {
          const n = await db.tx('prune runs past the count', (tx) =>
            tx.run(
              `delete from runs where id in (
                 select id from runs where job_id = $1 and finished_at is not null
                   and id < (select min(id) from (select id from runs
                     where job_id = $1 and finished_at is not null order by id desc limit $2) k)
                 order by id limit $3)`,
              [row.id, keep, DELETE_BATCH],
            ),
          );
          runs += n;
          if (n < DELETE_BATCH || signal?.aborted) break;
          await pause();
        }
      }
      if (num(end.keep) < JOBS_BATCH) break; // the range's size: the last range
      await pause();
    }
    return runs;
  }

  async function byLogBudget(policy: PrunePolicy, signal?: AbortSignal): Promise<number> {
    let total = 0;
    let after = -1;
    while (!signal?.aborted) {
      const row = await db.autocommit('sum stored logs', (q) =>
        q.all(
          `select max(id) as last, coalesce(sum(log_stored), 0) as n, count(*) as c from (
             select id, log_stored from runs where log_stored > 0 and id > $1 order by id limit $2) b`,
          [after, SUM_BATCH],
        ),
      );
      total += num(row[0]?.n ?? 0);
      if (num(row[0]?.c ?? 0) < SUM_BATCH) break;
      after = num(row[0]?.last);
      await pause();
    }
    let excess = total - policy.logBudgetBytes;
    let logBytes = 0;
    while (excess > 0 && !signal?.aborted) {
      const freed = await db.tx('prune old logs', async (tx) => {
        const oldest = await tx.all(
          `select id, log_stored from runs where finished_at is not null and log_stored > 0
           order by id limit $1`,
          [DELETE_BATCH],
        );
        let bytes = 0;
        for (const run of oldest) {
          if (excess - bytes <= 0) break;
          await tx.run('delete from run_log_chunks where run_id = $1', [run.id]);
          await tx.run('update runs set log_stored = 0 where id = $1', [run.id]);
          bytes += num(run.log_stored);
        }
        return { bytes, rows: oldest.length };
      });
      excess -= freed.bytes;
      logBytes += freed.bytes;
      if (freed.rows < DELETE_BATCH || freed.bytes === 0) break;
      await pause();
    }
    return logBytes;
  }

  return {
    async prune(policy, opts) {
      const runs = (await byAge(policy, opts?.signal)) + (await byCount(policy, opts?.signal));
      return { runs, logBytes: await byLogBudget(policy, opts?.signal) };
    },
  };
}
