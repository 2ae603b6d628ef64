// How a run begins and ends, inside the caller's transaction: a fire, a manual run, a claim, a finish
// and a loss all insert and close runs here, so each writes its webhooks and plans its retry alike.
import { newId } from '../../ids.ts';
import type { Job } from '../../model/jobs.ts';
import { RETRIABLE_STATES, type Run } from '../../model/runs.ts';
import type { DueTimes, RetryPlanner, RunStart } from '../store.ts';
import { enqueueWebhooks } from './outbox.ts';
import { idParam, opt, RUN_COLUMNS, toRun } from './rows.ts';
import type { SqlDialect, SqlRow, SqlStatement, SqlStatements, SqlTx } from './sql.ts';

/** A new run's fields; the job gives the rest. */
export interface NewRunFields {
  scheduleId?: string;
  trigger: Run['trigger'];
  triggerKey?: string;
  state: 'queued' | 'skipped';
  attempt: number;
  scheduledFor: number;
  runAt: number;
  error?: string;
  /** Where a pipeline run starts (a resume, or a retry from the last checkpoint). */
  checkpoint?: unknown;
}

/** How a run ended: its final state, what is known of the end, and its start if not yet written. */
export type RunEnd = Partial<Run> & { state: Run['state']; started?: RunStart };

export interface RunLifecycle {
  /**
   * Inserts a run; returns it, or undefined when a unique key says it already exists. `last`: as
   * the transaction's last statement (SqlTx.last), for a queued run (a skipped one has webhooks
   * to write after it).
   */
  insertRun(
    tx: SqlTx,
    job: Job,
    fields: NewRunFields,
    opts?: { last?: boolean },
  ): Promise<Run | undefined>;
  /**
   * Puts a run in a final state and returns it; with a lease token, only while the run is running
   * under that lease (undefined otherwise: fenced). The row stays locked until the commit.
   */
  closeRun(tx: SqlTx, runId: string, end: RunEnd, leaseToken?: string): Promise<Run | undefined>;
  /**
   * closeRun as one statement that commits by itself (announcing the end if `announce`), for an
   * end that needs nothing else written: only while the run is running under `leaseToken` and its
   * job is still at `jobVersion` (undefined otherwise; the caller then ends it in a transaction).
   */
  closeAlone(
    q: SqlStatements,
    runId: string,
    end: RunEnd,
    leaseToken: string,
    jobVersion: number,
    announce: boolean,
  ): Promise<Run | undefined>;
  /** Ends a running or queued run in a final state, then lets the planner queue a retry. */
  endRun(
    tx: SqlTx,
    run: Run,
    job: Job,
    end: RunEnd,
    retry: RetryPlanner | undefined,
  ): Promise<{ run: Run; retry?: Run }>;
  /** What follows a run's end in its transaction: its webhooks, and the retry the planner wants. */
  afterEnd(
    tx: SqlTx,
    ended: Run,
    job: Job,
    retry: RetryPlanner | undefined,
  ): Promise<{ run: Run; retry?: Run }>;
  /** The next schedule fire and the next queued run after `at`, and whether runs are due now. */
  nextDue(tx: SqlStatements, at: number): Promise<DueTimes>;
  /** nextDue as a statement, to send as a transaction's last (SqlTx.last); toDueTimes reads it. */
  nextDueStatement(at: number): SqlStatement;
  toDueTimes(rows: readonly SqlRow[]): DueTimes;
}

export function createRunLifecycle(dialect: SqlDialect): RunLifecycle {
  async function insertRun(
    tx: SqlTx,
    job: Job,
    fields: NewRunFields,
    opts: { last?: boolean } = {},
  ): Promise<Run | undefined> {
    const id = newId();
    const finished = fields.state === 'skipped' ? tx.now : null;
    const last = opts.last === true && fields.state === 'queued';
    // Announced before the statement that ends the transaction (another node may have a slot for it).
    if (last) tx.announce('runs');
    const send = (sql: string, params: unknown[]): Promise<SqlRow[]> =>
      last ? tx.last(sql, params) : tx.all(sql, params);
    const rows = await send(
      `insert into runs (id, job_id, schedule_id, trigger, trigger_key, state, attempt, scheduled_for,
         run_at, created_at, finished_at, error, single_flight, checkpoint)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       on conflict do nothing
       returning ${RUN_COLUMNS}`,
      [
        idParam(id),
        idParam(job.id),
        fields.scheduleId === undefined ? null : idParam(fields.scheduleId),
        fields.trigger,
        fields.triggerKey ?? null,
        fields.state,
        fields.attempt,
        fields.scheduledFor,
        fields.runAt,
        tx.now,
        finished,
        fields.error ?? null,
        job.overlap === 'allow' ? 0 : 1,
        fields.checkpoint === undefined ? null : JSON.stringify(fields.checkpoint),
      ],
    );
    if (rows[0] === undefined) return undefined;
    const run = toRun(rows[0]);
    if (run.state === 'skipped') await enqueueWebhooks(tx, job, run);
    // Another node may have a slot for it.
    else if (!last) tx.announce('runs');
    return run;
  }

  /**
   * Puts a run in a final state and returns it; with a lease token, only while the run is running
   * under that lease (undefined otherwise: fenced). The row stays locked until the commit.
   */
  async function closeRun(
    tx: SqlTx,
    runId: string,
    end: RunEnd,
    leaseToken?: string,
  ): Promise<Run | undefined> {
    const [row] = await tx.all(
      closeSql(leaseToken === undefined ? '' : `and lease_token = $13 and state = 'running'`),
      [...closeParams(runId, end, tx.now), ...(leaseToken === undefined ? [] : [leaseToken])],
    );
    return row && toRun(row);
  }

  async function closeAlone(
    q: SqlStatements,
    runId: string,
    end: RunEnd,
    leaseToken: string,
    jobVersion: number,
    announce: boolean,
  ): Promise<Run | undefined> {
    const [row] = await q.all(
      closeSql(
        `and lease_token = $13 and state = 'running'
         and (select version from jobs where jobs.id = runs.job_id) = $14`,
        announce ? `, ${dialect.announcing('runs')} as announced` : '',
      ),
      [...closeParams(runId, end, null), leaseToken, jobVersion],
    );
    return row && toRun(row);
  }

  /**
   * The end's update, $1 to $12; a null end time ($6) is the store's clock at the statement, and a
   * start given with the end ($11, $12: ms before the statement) is written with it.
   */
  const closeSql = (where: string, returning = ''): string =>
    `update runs set state = $2, exit_code = $3, signal = $4, error = $5,
       finished_at = coalesce($6, ${dialect.now}),
       pgid = coalesce($11, pgid), started_at = coalesce(${dialect.now} - $12, started_at),
       log_bytes = coalesce($7, log_bytes), log_truncated = coalesce($8, log_truncated),
       lease_token = null, lease_expires_at = null,
       metrics = coalesce($9, metrics), checkpoint = coalesce($10, checkpoint)
     where id = $1 ${where}
     returning ${RUN_COLUMNS}${returning}`;

  const closeParams = (runId: string, end: RunEnd, at: number | null): unknown[] => [
    idParam(runId),
    end.state,
    end.exitCode ?? null,
    end.signal ?? null,
    end.error ?? null,
    at,
    end.logBytes ?? null,
    end.logTruncated === undefined ? null : end.logTruncated ? 1 : 0,
    end.metrics === undefined ? null : JSON.stringify(end.metrics),
    end.checkpoint === undefined ? null : JSON.stringify(end.checkpoint),
    end.started?.pgid ?? null,
    end.started === undefined ? null : startedAgo(end.started.at),
  ];

  /** Ends a running or queued run in a final state, then lets the planner queue a retry. */
  async function endRun(
    tx: SqlTx,
    run: Run,
    job: Job,
    end: RunEnd,
    retry: RetryPlanner | undefined,
  ): Promise<{ run: Run; retry?: Run }> {
    return afterEnd(tx, (await closeRun(tx, run.id, end)) as Run, job, retry);
  }

  /** What follows a run's end in its transaction: its webhooks, and the retry the planner wants. */
  async function afterEnd(
    tx: SqlTx,
    ended: Run,
    job: Job,
    retry: RetryPlanner | undefined,
  ): Promise<{ run: Run; retry?: Run }> {
    await enqueueWebhooks(tx, job, ended);
    // A run someone stopped is never retried, nor one canceled (a stop signal outlives the end).
    const retriable = RETRIABLE_STATES.has(ended.state) && ended.stopSignal === undefined;
    const at = retriable && retry !== undefined ? retry(ended, job, tx.now) : undefined;
    if (at === undefined) return { run: ended };
    const next = await insertRun(tx, job, {
      ...(ended.scheduleId === undefined ? {} : { scheduleId: ended.scheduleId }),
      trigger: 'retry',
      state: 'queued',
      attempt: ended.attempt + 1,
      scheduledFor: ended.scheduledFor,
      runAt: at,
      // A pipeline's retry resumes from its last checkpoint.
      ...(ended.checkpoint === undefined ? {} : { checkpoint: ended.checkpoint }),
    });
    return next === undefined ? { run: ended } : { run: ended, retry: next };
  }

  function nextDueStatement(at: number): SqlStatement {
    return {
      // The earliest cursor by the due index, stopping at the first enabled job: min() over the
      // join read every schedule and every job on PostgreSQL (issue 25).
      sql: `select (select s.next_fire_at from schedules s join jobs j on j.id = s.job_id
               where s.enabled = 1 and j.enabled = 1 and s.next_fire_at is not null
               order by s.next_fire_at limit 1) as fire_at,
              (select min(run_at) from runs where state = 'queued' and run_at > $1) as run_at,
              (select count(*) from (select 1 from runs where state = 'queued' and run_at <= $1
                 limit 1) b) as blocked`,
      params: [at],
    };
  }

  function toDueTimes(rows: readonly SqlRow[]): DueTimes {
    const row = rows[0];
    return {
      fireAt: opt(row?.fire_at),
      runAt: opt(row?.run_at),
      blocked: Number(row?.blocked) > 0,
    };
  }

  async function nextDue(tx: SqlStatements, at: number): Promise<DueTimes> {
    const { sql, params } = nextDueStatement(at);
    return toDueTimes(await tx.all(sql, params));
  }

  return {
    insertRun,
    closeRun,
    closeAlone,
    endRun,
    afterEnd,
    nextDue,
    nextDueStatement,
    toDueTimes,
  };
}

/** How long ago a process started (`at` from performance.now()), in whole ms: the store's clock
 * less this is its start time, however long the statement waited for its turn. */
export function startedAgo(at: number | undefined): number {
  return at === undefined ? 0 : Math.round(Math.max(0, performance.now() - at));
}
