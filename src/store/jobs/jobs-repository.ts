// The jobs half of the Store, written once for both backends over SqlExecutor. The guarantees of
// DESIGN.md live here: a schedule's cursor moves in the transaction that inserts its runs, and unique
// keys make a duplicate fire impossible; a run is claimed under a lease whose token every later write
// must carry; the overlap policy is decided with the job row locked.
import { randomUUID } from 'node:crypto';
import { AgentError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Job, JobPackage, Run, Schedule } from '../../jobs/model.ts';
import { webhookPayload } from '../../jobs/webhook-payload.ts';
import type {
  ClaimedRun,
  DueTimes,
  JobsStore,
  KeptLease,
  NewJob,
  Notification,
  RetryPlanner,
  RunFilter,
} from '../store.ts';
import {
  idParam,
  num,
  opt,
  optStr,
  RUN_COLUMNS,
  toBuffer,
  toJob,
  toPackage,
  toRun,
  toSchedule,
} from './rows.ts';
import { one, type SqlExecutor, type SqlStatements, type SqlTx } from './sql.ts';

const JOB_COLUMNS = 'id, name, spec, enabled, overlap, version, created_at, updated_at';
const SCHEDULE_COLUMNS = 'id, job_id, position, spec, anchor_at, enabled, next_fire_at';

export function createJobsRepository(db: SqlExecutor): JobsStore {
  const { skipLocked, forUpdate, now } = db.dialect;

  /**
   * A job with its schedules and package, in one statement: a row per schedule (one with none).
   * lock: '' to read, forUpdate to lock the job's row, skipLocked to lock it or get undefined if
   * another transaction holds it.
   */
  async function loadJob(tx: SqlStatements, id: string, lock = ''): Promise<Job | undefined> {
    const rows = await tx.all(
      `with j as (select ${JOB_COLUMNS} from jobs where id = $1 ${lock})
       select j.*, s.id as s_id, s.spec as s_spec, s.anchor_at as s_anchor_at,
         s.next_fire_at as s_next_fire_at, p.sha256 as p_sha256, p.size as p_size,
         p.uploaded_at as p_uploaded_at
       from j left join schedules s on s.job_id = j.id left join packages p on p.job_id = j.id
       order by s.position`,
      [idParam(id)],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    const schedules = rows
      .filter((r) => r.s_id !== null && r.s_id !== undefined)
      .map((r) =>
        toSchedule({
          id: r.s_id,
          job_id: r.id,
          spec: r.s_spec,
          anchor_at: r.s_anchor_at,
          next_fire_at: r.s_next_fire_at,
        }),
      );
    const pkg =
      row.p_sha256 === null || row.p_sha256 === undefined
        ? undefined
        : toPackage({ sha256: row.p_sha256, size: row.p_size, uploaded_at: row.p_uploaded_at });
    return toJob(row, schedules, pkg);
  }

  async function mustLoadJob(tx: SqlTx, id: string, lock = ''): Promise<Job> {
    const job = await loadJob(tx, id, lock);
    if (job === undefined) throw notFound('job', id);
    return job;
  }

  async function loadRun(tx: SqlStatements, id: string, lock = false): Promise<Run | undefined> {
    const row = await one(
      tx,
      `select ${RUN_COLUMNS} from runs where id = $1 ${lock ? forUpdate : ''}`,
      [idParam(id)],
    );
    return row && toRun(row);
  }

  /** Every change of a job goes through here: other nodes hear of it too. */
  async function bumpGeneration(tx: SqlTx): Promise<void> {
    tx.announce('jobs');
    await tx.run(
      `insert into settings (key, value) values ('jobs_generation', '1')
       on conflict (key) do update set value = cast(cast(settings.value as bigint) + 1 as text)`,
    );
  }

  async function checkName(tx: SqlTx, name: string, id: string): Promise<void> {
    const taken = await one(tx, 'select id from jobs where name = $1 and id <> $2', [
      name,
      idParam(id),
    ]);
    if (taken !== undefined) {
      throw new AgentError(
        'CONFLICT',
        `a job named "${name}" already exists (id ${String(taken.id)}); choose another name or update that job`,
      );
    }
  }

  async function writeSchedules(tx: SqlTx, job: NewJob): Promise<void> {
    const keep = job.schedules.map((s) => idParam(s.id));
    const existing = await tx.all('select id from schedules where job_id = $1', [idParam(job.id)]);
    for (const row of existing) {
      if (!keep.includes(num(row.id))) {
        await tx.run('delete from schedules where id = $1', [row.id]);
      }
    }
    for (const [position, s] of job.schedules.entries()) {
      await tx.run(
        `insert into schedules (${SCHEDULE_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (id) do update set position = excluded.position, spec = excluded.spec,
           anchor_at = excluded.anchor_at, enabled = excluded.enabled, next_fire_at = excluded.next_fire_at`,
        [
          idParam(s.id),
          idParam(job.id),
          position,
          JSON.stringify(s.spec),
          s.anchorAt,
          s.spec.enabled ? 1 : 0,
          s.nextFireAt ?? null,
        ],
      );
    }
  }

  /** Inserts a run; returns it, or undefined when a unique key says it already exists. */
  async function insertRun(
    tx: SqlTx,
    job: Job,
    fields: {
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
    },
  ): Promise<Run | undefined> {
    const id = newId();
    const finished = fields.state === 'skipped' ? tx.now : null;
    const rows = await tx.all(
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
    else tx.announce('runs');
    return run;
  }

  async function enqueueWebhooks(tx: SqlTx, job: Job, run: Run): Promise<void> {
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

  /**
   * Puts a run in a final state and returns it; with a lease token, only while the run is running
   * under that lease (undefined otherwise: fenced). The row stays locked until the commit.
   */
  async function closeRun(
    tx: SqlTx,
    runId: string,
    end: Partial<Run> & { state: Run['state'] },
    leaseToken?: string,
  ): Promise<Run | undefined> {
    const [row] = await tx.all(
      `update runs set state = $2, exit_code = $3, signal = $4, error = $5, finished_at = $6,
         log_bytes = coalesce($7, log_bytes), log_truncated = coalesce($8, log_truncated),
         lease_token = null, lease_expires_at = null,
         metrics = coalesce($9, metrics), checkpoint = coalesce($10, checkpoint)
       where id = $1 ${leaseToken === undefined ? '' : `and lease_token = $11 and state = 'running'`}
       returning ${RUN_COLUMNS}`,
      [
        idParam(runId),
        end.state,
        end.exitCode ?? null,
        end.signal ?? null,
        end.error ?? null,
        tx.now,
        end.logBytes ?? null,
        end.logTruncated === undefined ? null : end.logTruncated ? 1 : 0,
        end.metrics === undefined ? null : JSON.stringify(end.metrics),
        end.checkpoint === undefined ? null : JSON.stringify(end.checkpoint),
        ...(leaseToken === undefined ? [] : [leaseToken]),
      ],
    );
    return row && toRun(row);
  }

  /** Ends a running or queued run in a final state, then lets the planner queue a retry. */
  async function endRun(
    tx: SqlTx,
    run: Run,
    job: Job,
    end: Partial<Run> & { state: Run['state'] },
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
    const retriable =
      (ended.state === 'failed' || ended.state === 'timed_out' || ended.state === 'lost') &&
      ended.stopSignal === undefined;
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

  async function nextDue(tx: SqlStatements, at: number): Promise<DueTimes> {
    const row = await one(
      tx,
      `select (select min(s.next_fire_at) from schedules s join jobs j on j.id = s.job_id
               where s.enabled = 1 and j.enabled = 1 and s.next_fire_at is not null) as fire_at,
              (select min(run_at) from runs where state = 'queued' and run_at > $1) as run_at,
              (select count(*) from (select 1 from runs where state = 'queued' and run_at <= $1
                 limit 1) b) as blocked`,
      [at],
    );
    return {
      fireAt: opt(row?.fire_at),
      runAt: opt(row?.run_at),
      blocked: Number(row?.blocked) > 0,
    };
  }

  return {
    createJob: (job) =>
      db.tx('create a job', async (tx) => {
        await checkName(tx, job.spec.name, job.id);
        await tx.run(`insert into jobs (${JOB_COLUMNS}) values ($1, $2, $3, $4, $5, 1, $6, $6)`, [
          idParam(job.id),
          job.spec.name,
          JSON.stringify(job.spec),
          job.spec.enabled ? 1 : 0,
          job.spec.overlap,
          tx.now,
        ]);
        await writeSchedules(tx, job);
        await bumpGeneration(tx);
        return mustLoadJob(tx, job.id);
      }),

    updateJob: (job, expectedVersion) =>
      db.tx('update a job', async (tx) => {
        const current = await mustLoadJob(tx, job.id, forUpdate);
        if (expectedVersion !== undefined && current.version !== expectedVersion) {
          throw new AgentError(
            'CONFLICT',
            `job ${job.id} is at version ${current.version}, not ${expectedVersion}: someone changed it; read it again and retry`,
          );
        }
        await checkName(tx, job.spec.name, job.id);
        await tx.run(
          `update jobs set name = $2, spec = $3, enabled = $4, overlap = $5, version = version + 1,
             updated_at = $6 where id = $1`,
          [
            idParam(job.id),
            job.spec.name,
            JSON.stringify(job.spec),
            job.spec.enabled ? 1 : 0,
            job.spec.overlap,
            tx.now,
          ],
        );
        await writeSchedules(tx, job);
        // Queued runs follow the new overlap policy (running ones keep theirs until they end).
        await tx.run(`update runs set single_flight = $2 where job_id = $1 and state = 'queued'`, [
          idParam(job.id),
          job.spec.overlap === 'allow' ? 0 : 1,
        ]);
        await bumpGeneration(tx);
        return mustLoadJob(tx, job.id);
      }),

    deleteJob: (id) =>
      db.tx('delete a job', async (tx) => {
        // Schedules first, in the order materialise locks them (schedule, then the job's key).
        await tx.all(`select id from schedules where job_id = $1 ${forUpdate}`, [idParam(id)]);
        await mustLoadJob(tx, id, forUpdate);
        const active = await one(
          tx,
          `select id from runs where job_id = $1 and state = 'running'`,
          [idParam(id)],
        );
        if (active !== undefined) {
          throw new AgentError(
            'CONFLICT',
            `job ${id} has run ${String(active.id)} running; stop it first (POST /api/v1/runs/${String(active.id)}/stop)`,
          );
        }
        await tx.run('delete from outbox where job_id = $1', [idParam(id)]);
        await tx.run('delete from jobs where id = $1', [idParam(id)]);
        await bumpGeneration(tx);
      }),

    jobNames: (ids) =>
      db.autocommit('read job names', async (tx) => {
        if (ids.length === 0) return new Map<string, string>();
        const rows = await tx.all(
          `select id, name from jobs where id in (${ids.map((_, i) => `$${i + 1}`).join(', ')})`,
          ids.map(idParam),
        );
        return new Map(rows.map((row) => [String(row.id), String(row.name)]));
      }),

    getJob: (idOrName) =>
      db.autocommit('read a job', async (tx) => {
        if (/^[0-9]{1,16}$/.test(idOrName)) {
          const byId = await loadJob(tx, idOrName);
          if (byId !== undefined) return byId;
        }
        const row = await one(tx, 'select id from jobs where name = $1', [idOrName]);
        return row === undefined ? undefined : loadJob(tx, String(row.id));
      }),

    listJobs: (page) =>
      db.autocommit('list jobs', async (tx) => {
        const params: unknown[] = [];
        if (page?.after !== undefined) params.push(Number(page.after));
        if (page !== undefined) params.push(page.limit);
        const rows = await tx.all(
          `select ${JOB_COLUMNS} from jobs ${page?.after === undefined ? '' : 'where id > $1'}
           order by id ${page === undefined ? '' : `limit $${params.length}`}`,
          params,
        );
        if (rows.length === 0) return [];
        // A page's jobs are consecutive ids, so their schedules and packages are one id range.
        const range = page === undefined ? '' : 'where job_id between $1 and $2';
        const bounds = page === undefined ? [] : [rows[0]?.id, rows.at(-1)?.id];
        const schedules = new Map<string, Schedule[]>();
        for (const row of await tx.all(
          `select ${SCHEDULE_COLUMNS} from schedules ${range} order by job_id, position`,
          bounds,
        )) {
          const s = toSchedule(row);
          const list = schedules.get(s.jobId) ?? [];
          list.push(s);
          schedules.set(s.jobId, list);
        }
        const packages = new Map<string, JobPackage>();
        for (const row of await tx.all(
          `select job_id, sha256, size, uploaded_at from packages ${range}`,
          bounds,
        )) {
          packages.set(String(row.job_id), toPackage(row));
        }
        return rows.map((row) =>
          toJob(row, schedules.get(String(row.id)) ?? [], packages.get(String(row.id))),
        );
      }),

    jobsGeneration: () =>
      db.autocommit('read the jobs generation', async (tx) => {
        const row = await one(tx, `select value from settings where key = 'jobs_generation'`);
        return row === undefined ? 0 : num(row.value);
      }),

    latestRuns: () =>
      db.autocommit('read the latest runs', async (tx) => {
        const rows = await tx.all(
          `select ${RUN_COLUMNS} from runs where id in (
             select max(id) from runs where state <> 'queued' group by job_id)`,
        );
        return new Map(rows.map((row) => [String(row.job_id), toRun(row)]));
      }),

    nextDue: (at) => db.autocommit('find the next due time', (q) => nextDue(q, at)),

    materialize: (upTo, limit, plan) =>
      db.tx('materialise due schedules', async (tx) => {
        // Only schedule rows are locked: a claim holding a job row must not hold up the cursor.
        const due = await tx.all(
          `select ${SCHEDULE_COLUMNS} from schedules s
           where s.enabled = 1 and s.next_fire_at is not null and s.next_fire_at <= $1
             and exists (select 1 from jobs j where j.id = s.job_id and j.enabled = 1)
           order by s.next_fire_at limit $2 ${skipLocked}`,
          [upTo, limit],
        );
        const made: Run[] = [];
        const jobs = new Map<string, Job>();
        for (const row of due) {
          const schedule = toSchedule(row);
          const job = jobs.get(schedule.jobId) ?? (await mustLoadJob(tx, schedule.jobId));
          jobs.set(job.id, job);
          const { fires, nextFireAt } = plan(schedule, job, tx.now);
          for (const fire of fires) {
            const run = await insertRun(tx, job, {
              scheduleId: schedule.id,
              trigger: 'schedule',
              state: fire.skipped === undefined ? 'queued' : 'skipped',
              attempt: 1,
              scheduledFor: fire.scheduledFor,
              runAt: fire.runAt,
              ...(fire.skipped === undefined ? {} : { error: fire.skipped }),
            });
            if (run !== undefined) made.push(run);
          }
          await tx.run('update schedules set next_fire_at = $2 where id = $1', [
            idParam(schedule.id),
            nextFireAt ?? null,
          ]);
        }
        return made;
      }),

    createRun: (jobId, opts) =>
      db.tx('create a run', async (tx) => {
        const job = await mustLoadJob(tx, jobId, forUpdate);
        if (opts.idempotencyKey !== undefined) {
          const row = await one(
            tx,
            `select ${RUN_COLUMNS} from runs where job_id = $1 and trigger_key = $2`,
            [idParam(jobId), opts.idempotencyKey],
          );
          if (row !== undefined) return { run: toRun(row), created: false };
        }
        if (job.overlap === 'forbid') {
          const active = await one(
            tx,
            `select id, state from runs where job_id = $1 and state in ('queued', 'running')`,
            [idParam(jobId)],
          );
          if (active !== undefined) {
            throw new AgentError(
              'CONFLICT',
              `job ${jobId} already has run ${String(active.id)} ${String(active.state)} and its overlap policy is forbid; wait for it, stop it, or set overlap to queue`,
            );
          }
        }
        const run = await insertRun(tx, job, {
          trigger: opts.checkpoint === undefined ? 'manual' : 'resume',
          ...(opts.idempotencyKey === undefined ? {} : { triggerKey: opts.idempotencyKey }),
          state: 'queued',
          attempt: 1,
          scheduledFor: tx.now,
          runAt: opts.runAt ?? tx.now,
          ...(opts.checkpoint === undefined ? {} : { checkpoint: opts.checkpoint }),
        });
        if (run === undefined) {
          throw new AgentError('CONFLICT', 'the run was created concurrently; retry');
        }
        return { run, created: true };
      }),

    claimRuns: (nodeId, slots, upTo, aheadMs, leaseMs, liveWithinMs) =>
      db.tx('claim runs', async (tx) => {
        const claimed: ClaimedRun[] = [];
        const changed: Run[] = [];
        if (slots <= 0) return { claimed, changed, next: await nextDue(tx, upTo) };
        // The live nodes are counted in the same statement: no round trip more for a claim.
        const candidates = await tx.all(
          liveWithinMs === undefined
            ? `select ${RUN_COLUMNS} from runs where state = 'queued' and run_at <= $1
               order by run_at, id limit $2 ${skipLocked}`
            : `select ${RUN_COLUMNS}, (select count(*) from nodes where state = 'up'
                 and heartbeat_at > $3) as live_nodes
               from runs where state = 'queued' and run_at <= $1
               order by run_at, id limit $2 ${skipLocked}`,
          liveWithinMs === undefined
            ? [upTo + aheadMs, slots * 4 + 8]
            : [upTo + aheadMs, slots * 4 + 8, tx.now - liveWithinMs],
        );
        const live = Math.max(1, Number(candidates[0]?.live_nodes ?? 1));
        const share = Math.min(slots, Math.ceil(candidates.length / live));
        // Each job is locked and read once per claim, however many of its runs are due.
        const jobs = new Map<string, Job | undefined>();
        for (const row of candidates) {
          if (claimed.length >= share) break;
          const candidateRun = toRun(row);
          // Locking the job row serialises every decision about this job's runs across nodes; a job
          // another claimer holds is left to it (waiting could deadlock two claimers).
          if (!jobs.has(candidateRun.jobId)) {
            jobs.set(candidateRun.jobId, await loadJob(tx, candidateRun.jobId, skipLocked));
          }
          const job = jobs.get(candidateRun.jobId);
          if (job === undefined) continue;
          const early = candidateRun.runAt > upTo;
          // A fire made into a run ahead of time can still be missed (the agent was down or busy):
          // the job's misfire policy decides here too, as the planner does for fires not yet made.
          const late = tx.now - candidateRun.runAt;
          if (
            candidateRun.trigger === 'schedule' &&
            late > job.misfireGraceSec * 1000 &&
            job.misfire !== 'all'
          ) {
            const newer =
              job.misfire === 'once'
                ? await one(
                    tx,
                    // Only a newer fire that is missed too replaces this one as the catch-up.
                    `select id from runs where schedule_id = $1 and state = 'queued'
                       and trigger = 'schedule' and scheduled_for > $2 and run_at < $3`,
                    [
                      idParam(candidateRun.scheduleId as string),
                      candidateRun.scheduledFor,
                      tx.now - job.misfireGraceSec * 1000,
                    ],
                  )
                : undefined;
            if (job.misfire === 'skip' || newer !== undefined) {
              const reason =
                job.misfire === 'skip'
                  ? `missed by ${Math.round(late / 1000)}s (agent down or busy); misfire policy skip`
                  : 'misfire policy once runs only the latest missed fire';
              const ended = await endRun(
                tx,
                candidateRun,
                job,
                { state: 'skipped', error: reason },
                undefined,
              );
              changed.push(ended.run);
              continue;
            }
          }
          if (job.overlap !== 'allow') {
            const active = await one(
              tx,
              `select ${RUN_COLUMNS} from runs where job_id = $1 and state = 'running'`,
              [idParam(job.id)],
            );
            if (active !== undefined) {
              if (early) continue; // the policy decides at the run's own time
              const busy = toRun(active);
              if (job.overlap === 'forbid') {
                const reason = `overlap policy forbid: run ${busy.id} was still running`;
                changed.push(
                  (
                    await endRun(
                      tx,
                      candidateRun,
                      job,
                      { state: 'skipped', error: reason },
                      undefined,
                    )
                  ).run,
                );
              } else if (job.overlap === 'replace' && busy.stopSignal === undefined) {
                await tx.run('update runs set stop_signal = $2 where id = $1', [
                  idParam(busy.id),
                  'SIGTERM',
                ]);
                changed.push({ ...busy, stopSignal: 'SIGTERM' });
              }
              continue; // queue and replace: it waits for the running one to end.
            }
          }
          const token = randomUUID();
          const [took] = await tx.all(
            `update runs set state = 'running', node_id = $2, lease_token = $3, lease_expires_at = $4,
               started_at = $5 where id = $1 and state = 'queued' returning ${RUN_COLUMNS}`,
            [idParam(candidateRun.id), nodeId, token, tx.now + leaseMs, tx.now],
          );
          if (took !== undefined) claimed.push({ run: toRun(took), job, leaseToken: token });
        }
        // Runs left due for the others: this node looks again shortly, in case nobody takes them.
        const shared = live > 1 && claimed.length === share && candidates.length > share;
        return { claimed, changed, next: await nextDue(tx, upTo), shared };
      }),

    markStarted: async (runId, token, pgid, startedAt) => {
      const ago = startedAt === undefined ? 0 : Math.max(0, performance.now() - startedAt);
      const rows = await db.autocommit('record a started run', (q) =>
        q.all(
          `update runs set pgid = $3, started_at = ${now} - $4
           where id = $1 and lease_token = $2 and state = 'running' returning id`,
          [idParam(runId), token, pgid, Math.round(ago)],
        ),
      );
      return rows.length === 1;
    },

    saveRunProgress: (runId, token, progress) =>
      db.autocommit('record pipeline progress', async (q) => {
        const changed = await q.all(
          `update runs set metrics = coalesce($3, metrics), checkpoint = coalesce($4, checkpoint)
           where id = $1 and lease_token = $2 and state = 'running' returning id`,
          [
            idParam(runId),
            token,
            progress.metrics === undefined ? null : JSON.stringify(progress.metrics),
            progress.checkpoint === undefined ? null : JSON.stringify(progress.checkpoint),
          ],
        );
        return changed.length === 1;
      }),

    renewLeases: async (nodeId, leases, leaseMs) => {
      const kept: KeptLease[] = [];
      // One statement for a node's leases (a batch of them, when it has very many), on its own.
      for (let i = 0; i < leases.length; i += RENEW_BATCH) {
        const batch = leases.slice(i, i + RENEW_BATCH);
        const ours = batch.map((_, j) => `(id = $${3 + 2 * j} and lease_token = $${4 + 2 * j})`);
        const rows = await db.autocommit('renew run leases', (q) =>
          q.all(
            `update runs set lease_expires_at = ${now} + $2
             where node_id = $1 and state = 'running' and (${ours.join(' or ')})
             returning id, stop_signal, stop_grace_ms`,
            [nodeId, leaseMs, ...batch.flatMap((l) => [idParam(l.runId), l.token])],
          ),
        );
        for (const row of rows) {
          const signal = optStr(row.stop_signal);
          const graceMs = opt(row.stop_grace_ms);
          kept.push({
            runId: String(row.id),
            ...(signal === undefined ? {} : { stopSignal: signal }),
            ...(graceMs === undefined ? {} : { stopGraceMs: graceMs }),
          });
        }
      }
      return kept;
    },

    finishRun: (runId, token, outcome, retry) =>
      db.tx('finish a run', async (tx) => {
        // The update checks the lease and locks the row: no read before it.
        const ended = await closeRun(tx, runId, outcome, token);
        if (ended === undefined) return undefined;
        tx.announce('runs'); // a slot, or a job's overlap policy, no longer holds others up
        return afterEnd(tx, ended, await mustLoadJob(tx, ended.jobId), retry);
      }),

    loseRuns: (which, reason, retry) =>
      db.tx('mark lost runs', async (tx) => {
        const rows =
          'nodeId' in which
            ? await tx.all(
                `select ${RUN_COLUMNS} from runs where state = 'running' and node_id = $1
                 order by id ${forUpdate}`,
                [which.nodeId],
              )
            : // A row another transaction holds is waited for (lock_timeout bounds the wait, and
              // the server ends a stalled agent's transaction): skipped, it could stay running.
              await tx.all(
                `select ${RUN_COLUMNS} from runs where state = 'running' and lease_expires_at < $1
                 order by id ${forUpdate}`,
                [tx.now],
              );
        const lost: Run[] = [];
        const retries: Run[] = [];
        for (const row of rows) {
          const run = toRun(row);
          const job = await mustLoadJob(tx, run.jobId);
          const ended = await endRun(tx, run, job, { state: 'lost', error: reason }, retry);
          tx.announce('runs');
          lost.push(ended.run);
          if (ended.retry !== undefined) retries.push(ended.retry);
        }
        return { lost, retries };
      }),

    requestStop: (runId, signal, graceMs) =>
      db.tx('stop a run', async (tx) => {
        const run = await loadRun(tx, runId, true);
        if (run === undefined) throw notFound('run', runId);
        if (run.state === 'queued') {
          const job = await mustLoadJob(tx, run.jobId);
          return (
            await endRun(
              tx,
              run,
              job,
              { state: 'canceled', error: 'stopped before it started' },
              undefined,
            )
          ).run;
        }
        if (run.state === 'running' && run.stopSignal === undefined) {
          await tx.run('update runs set stop_signal = $2, stop_grace_ms = $3 where id = $1', [
            idParam(runId),
            signal,
            graceMs ?? null,
          ]);
          return { ...run, stopSignal: signal };
        }
        return run;
      }),

    getRun: (id) => db.autocommit('read a run', (tx) => loadRun(tx, id)),

    listRuns: (filter: RunFilter) =>
      db.autocommit('list runs', async (tx) => {
        const where: string[] = [];
        const params: unknown[] = [];
        const add = (clause: string, value: unknown): void => {
          params.push(value);
          where.push(clause.replace('?', `$${params.length}`));
        };
        if (filter.jobId !== undefined) add('job_id = ?', idParam(filter.jobId));
        if (filter.state !== undefined) add('state = ?', filter.state);
        if (filter.nodeId !== undefined) add('node_id = ?', filter.nodeId);
        if (filter.before !== undefined) add('id < ?', idParam(filter.before));
        params.push(filter.limit);
        const rows = await tx.all(
          `select ${RUN_COLUMNS} from runs ${where.length > 0 ? `where ${where.join(' and ')}` : ''}
           order by id desc limit $${params.length}`,
          params,
        );
        return rows.map(toRun);
      }),

    appendLog: (runId, token, chunks) =>
      db.tx('append to a run log', async (tx) => {
        const owned = await one(
          tx,
          `select id from runs where id = $1 and lease_token = $2 and state = 'running'`,
          [idParam(runId), token],
        );
        if (owned === undefined) return false;
        let bytes = 0;
        for (const chunk of chunks) {
          const added = await tx.run(
            'insert into run_log_chunks (run_id, seq, data) values ($1, $2, $3) on conflict do nothing',
            [idParam(runId), chunk.seq, chunk.data],
          );
          if (added === 1) bytes += chunk.data.byteLength;
        }
        await tx.run('update runs set log_stored = log_stored + $2 where id = $1', [
          idParam(runId),
          bytes,
        ]);
        return true;
      }),

    readLog: (runId) =>
      db.autocommit('read a run log', async (tx) => {
        const rows = await tx.all(
          'select data from run_log_chunks where run_id = $1 order by seq',
          [idParam(runId)],
        );
        return Buffer.concat(rows.map((row) => toBuffer(row.data)));
      }),

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

    putPackage: async (jobId, pkg) => {
      let chunks = 0;
      let stored = 0;
      // One short transaction per chunk (see schema.ts); none for an embedded store (jobs-service).
      for await (const chunk of rechunk(pkg.pieces, PACKAGE_CHUNK_BYTES)) {
        if (chunks > 0) await nextTurn();
        const seq = chunks++;
        stored += chunk.length;
        await db.tx('store a package chunk', async (tx) => {
          await mustLoadJob(tx, jobId);
          await tx.run(
            `insert into package_chunks (job_id, sha256, seq, data) values ($1, $2, $3, $4)
             on conflict (job_id, sha256, seq) do nothing`,
            [idParam(jobId), pkg.sha256, seq, chunk],
          );
        });
      }
      return db.tx('store a package', async (tx) => {
        await mustLoadJob(tx, jobId, forUpdate);
        if (chunks > 0 && stored !== pkg.size) {
          throw new AgentError(
            'INTERNAL',
            `package of ${stored} bytes stored for job ${jobId}, ${pkg.size} announced`,
          );
        }
        const have = await one(
          tx,
          'select count(*) as n from package_chunks where job_id = $1 and sha256 = $2',
          [idParam(jobId), pkg.sha256],
        );
        if (num(have?.n) !== chunks) {
          throw new AgentError(
            'CONFLICT',
            `another upload replaced job ${jobId}'s package while this one was stored; upload it again`,
          );
        }
        await tx.run(
          `insert into packages (job_id, sha256, size, data, uploaded_at) values ($1, $2, $3, $4, $5)
           on conflict (job_id) do update set sha256 = excluded.sha256, size = excluded.size,
             data = excluded.data, uploaded_at = excluded.uploaded_at`,
          [idParam(jobId), pkg.sha256, pkg.size, Buffer.alloc(0), tx.now],
        );
        await tx.run('delete from package_chunks where job_id = $1 and sha256 <> $2', [
          idParam(jobId),
          pkg.sha256,
        ]);
        await bumpGeneration(tx);
        return { sha256: pkg.sha256, size: pkg.size, uploadedAt: tx.now };
      });
    },

    getPackage: async (jobId) => {
      const head = await db.autocommit('read a package', (tx) =>
        one(
          tx,
          'select sha256, size, uploaded_at, length(data) as inline from packages where job_id = $1',
          [idParam(jobId)],
        ),
      );
      if (head === undefined) return undefined;
      const pkg = toPackage(head);
      const read = async (label: string, sql: string, params: unknown[]): Promise<Buffer> => {
        const row = await db.autocommit(label, (tx) => one(tx, sql, params));
        if (row === undefined) {
          throw new AgentError(
            'CONFLICT',
            `job ${jobId}'s package was replaced while it was read; read it again`,
          );
        }
        return toBuffer(row.data);
      };
      async function* chunks(): AsyncGenerator<Buffer> {
        if (num(head?.inline) > 0) {
          // Stored before packages were kept in chunks.
          yield await read(
            'read a package',
            'select data from packages where job_id = $1 and sha256 = $2',
            [idParam(jobId), pkg.sha256],
          );
          return;
        }
        for (let seq = 0; seq * PACKAGE_CHUNK_BYTES < pkg.size; seq++) {
          if (seq > 0) await nextTurn();
          yield await read(
            'read a package chunk',
            'select data from package_chunks where job_id = $1 and sha256 = $2 and seq = $3',
            [idParam(jobId), pkg.sha256, seq],
          );
        }
      }
      return { ...pkg, chunks: chunks() };
    },

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

/** Leases renewed per statement: a bound on its parameters (2 per lease) and its length. */
const RENEW_BATCH = 500;

/** How much of a package one row holds. */
const PACKAGE_CHUNK_BYTES = 1 << 20;

/** Pieces of any size as chunks of `size` bytes (the last one shorter). */
async function* rechunk(
  pieces: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  size: number,
): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of pieces) {
    let rest = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (pendingBytes + rest.length >= size) {
      const take = size - pendingBytes;
      yield Buffer.concat([...pending, rest.subarray(0, take)]);
      rest = rest.subarray(take);
      pending = [];
      pendingBytes = 0;
    }
    if (rest.length > 0) {
      pending.push(rest);
      pendingBytes += rest.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}

/** Lets the event loop run between two steps of a long store operation. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function notFound(what: 'job' | 'run', id: string): AgentError {
  const list = what === 'job' ? 'GET /api/v1/jobs' : 'GET /api/v1/runs';
  return new AgentError('NOT_FOUND', `${what} ${id} does not exist; ${list} lists them`);
}
