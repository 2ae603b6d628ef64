// Retention: finished runs past their age or their job's count go, then the oldest logs until the
// stored logs fit the budget.
import type { JobsStore } from '../store.ts';
import { num } from './rows.ts';
import { one, type SqlExecutor } from './sql.ts';

export type PrunePart = Pick<JobsStore, 'prune'>;

export function createPrune(db: SqlExecutor): PrunePart {
  return {
    prune: (policy) =>
      db.tx('prune old runs', async (tx) => {
        let runs = await tx.run(
          `delete from runs where finished_at is not null and finished_at < $1`,
          [tx.now - policy.maxAgeMs],
        );
        const counts = await tx.all(
          `select r.job_id, count(*) as n, j.spec from runs r join jobs j on j.id = r.job_id
           where r.finished_at is not null group by r.job_id, j.spec`,
        );
        for (const row of counts) {
          const keep =
            (JSON.parse(String(row.spec)) as { keepRuns?: number }).keepRuns || policy.keepRuns;
          if (num(row.n) <= keep) continue;
          runs += await tx.run(
            `delete from runs where job_id = $1 and finished_at is not null and id not in (
               select id from runs where job_id = $1 and finished_at is not null order by id desc limit $2)`,
            [row.job_id, keep],
          );
        }
        let logBytes = 0;
        const total = num((await one(tx, 'select coalesce(sum(log_stored), 0) as n from runs'))?.n);
        let excess = total - policy.logBudgetBytes;
        if (excess > 0) {
          const oldest = await tx.all(
            `select id, log_stored from runs where finished_at is not null and log_stored > 0 order by id`,
          );
          for (const row of oldest) {
            if (excess <= 0) break;
            await tx.run('delete from run_log_chunks where run_id = $1', [row.id]);
            await tx.run('update runs set log_stored = 0 where id = $1', [row.id]);
            excess -= num(row.log_stored);
            logBytes += num(row.log_stored);
          }
        }
        return { runs, logBytes };
      }),
  };
}
