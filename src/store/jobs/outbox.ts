// Webhook deliveries: written to the outbox in the transaction that ends a run (its payload built
// then, so a delivery retried later still says what happened), taken under a short lease by one
// node, then dropped when delivered or rescheduled.
import { newId } from '../../ids.ts';
import type { Job } from '../../model/jobs.ts';
import type { Run } from '../../model/runs.ts';
import type { JobsStore, Notification } from '../store.ts';
import { idParam, num } from './rows.ts';
import type { SqlExecutor, SqlTx } from './sql.ts';
import { webhookPayload } from './webhook-payload.ts';

export type OutboxPart = Pick<
  JobsStore,
  'takeNotifications' | 'dropNotification' | 'retryNotification'
>;

/** Queues a delivery for each of the job's webhooks that listens for the run's state. */
export async function enqueueWebhooks(tx: SqlTx, job: Job, run: Run): Promise<void> {
  for (const hook of job.webhooks) {
    if (!(hook.events as string[]).includes(run.state)) continue;
    await tx.run(
      `insert into outbox (id, job_id, run_id, event, url, payload, next_at)
         values ($1, $2, $3, $4, $5, $6, $7)`,
      [
        idParam(newId()),
        idParam(job.id),
        idParam(run.id),
        run.state,
        hook.url,
        JSON.stringify(webhookPayload(job, run)),
        tx.now,
      ],
    );
  }
}

export function createOutbox(db: SqlExecutor): OutboxPart {
  const { skipLocked, now } = db.dialect;

  return {
    takeNotifications: (limit, leaseMs) =>
      db.tx('take notifications', async (tx) => {
        const rows = await tx.all(
          `select id, job_id, run_id, event, url, payload, attempts from outbox
           where next_at <= $1 order by next_at limit $2 ${skipLocked}`,
          [tx.now, limit],
        );
        const taken: Notification[] = [];
        for (const row of rows) {
          await tx.run('update outbox set next_at = $2, attempts = attempts + 1 where id = $1', [
            row.id,
            tx.now + leaseMs,
          ]);
          taken.push({
            id: String(row.id),
            jobId: String(row.job_id),
            runId: String(row.run_id),
            event: String(row.event),
            url: String(row.url),
            payload: String(row.payload),
            attempts: num(row.attempts) + 1,
          });
        }
        return taken;
      }),

    dropNotification: (id) =>
      db.autocommit('drop a notification', async (q) => {
        await q.all('delete from outbox where id = $1', [idParam(id)]);
      }),

    retryNotification: (id, delayMs, error) =>
      db.autocommit('reschedule a notification', async (q) => {
        await q.all(`update outbox set next_at = ${now} + $2, last_error = $3 where id = $1`, [
          idParam(id),
          delayMs,
          error,
        ]);
      }),
  };
}
