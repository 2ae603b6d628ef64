// Runs: manual runs, claims under a lease, the lease's renewal, and the run's end (finished, lost or
// stopped). Every write from an owner carries its lease token; the overlap policy is decided with the
// job's row locked (a run of an allow job decides nothing, and is made and claimed without it). The
// statements of a manual run, and of a claim pass after its first read, travel together: on
// PostgreSQL one round trip each.
import { randomUUID } from 'node:crypto';
import { AgentError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Job } from '../../model/jobs.ts';
import { RETRIABLE_STATES, type Run } from '../../model/runs.ts';
import type { ClaimedRun, JobsStore, KeptLease, RunFilter } from '../store.ts';
import { idParam, opt, optStr, RUN_COLUMNS, toJob, toRun } from './rows.ts';
import { startedAgo } from './run-lifecycle.ts';
import { notFound, type Shared } from './shared.ts';
import { idList } from './jobs.ts';
import { one, type SqlExecutor } from './sql.ts';

export type RunsPart = Pick<
  JobsStore,
  | 'latestRuns'
  | 'createRun'
  | 'claimRuns'
  | 'markStarted'
  | 'saveRunProgress'
  | 'renewLeases'
  | 'finishRun'
  | 'loseRuns'
  | 'requestStop'
  | 'getRun'
  | 'listRuns'
>;

export function createRuns(db: SqlExecutor, shared: Shared): RunsPart {
  const { skipLocked, forUpdate, shareSkipLocked, now } = db.dialect;
  const {
    loadJob,
    loadJobStatement,
    toLoadedJob,
    mustLoadJob,
    loadRun,
    insertRun,
    closeRun,
    closeAlone,
    endRun,
    afterEnd,
  } = shared;
  const { nextDueStatement, toDueTimes } = shared;
  const claimPlain = claimIfUnchanged(shareSkipLocked);
  /**
   * A manual run ($1 id, $2 job, $3 trigger, $4 run at or null: now, $5 checkpoint) of a job that
   * is not forbid, made in one statement with nothing to decide first; no row otherwise. Another
   * node may have a slot for it: announced.
   */
  const plainInsert = `insert into runs (id, job_id, trigger, state, attempt, scheduled_for,
      run_at, created_at, single_flight, checkpoint)
    select $1, id, $3, 'queued', 1, ${now}, coalesce($4, ${now}), ${now},
      case when overlap = 'allow' then 0 else 1 end, $5
    from jobs where id = $2 and overlap <> 'forbid'
    returning ${RUN_COLUMNS}, ${db.dialect.announcing('runs')} as announced`;

  return {
    latestRuns: (jobIds) =>
      db.autocommit('read the latest runs', async (tx) => {
        if (jobIds.length === 0) return new Map<string, Run>();
        // job_last_runs names each job's latest run (kept by triggers): a read by key per job.
        const ids = idList(jobIds.map(idParam));
        const rows = await tx.all(
          `select ${RUN_COLUMNS} from runs where id in (
             select run_id from job_last_runs where job_id in (${ids.marks}) and run_id is not null)`,
          ids.params,
        );
        return new Map(rows.map((row) => [String(row.job_id), toRun(row)]));
      }),

    createRun: async (jobIdOrName, opts) => {
      // A run of a job that decides nothing on its other runs needs no lock on the job: runs of one
      // job are made and claimed side by side, and one named by id is made in one round trip (the
      // job read, and the insert that announces it, which needs no transaction around it). An
      // idempotency key or forbid decides on the job's runs, under the job's lock.
      const keyed = opts.idempotencyKey !== undefined;
      const byId = JOB_ID.test(jobIdOrName);
      if (byId && !keyed) {
        const made = await db
          .autocommit('create a run', async (q) => {
            const insert = [
              idParam(newId()),
              idParam(jobIdOrName),
              opts.checkpoint === undefined ? 'manual' : 'resume',
              opts.runAt ?? null,
              opts.checkpoint === undefined ? null : JSON.stringify(opts.checkpoint),
            ];
            const read = loadJobStatement(jobIdOrName);
            // Issued together: one round trip. The insert is one statement that commits alone.
            const [jobRows, [row]] = await Promise.all([
              q.all(read.sql, read.params),
              q.all(plainInsert, insert),
            ]);
            return row === undefined ? undefined : { run: toRun(row), job: toLoadedJob(jobRows) };
          })
          .catch((err: unknown) => {
            // The job was deleted between the read and the insert (its foreign key).
            if ((err as { code?: unknown }).code === FOREIGN_KEY_VIOLATION) {
              throw notFound('job', jobIdOrName);
            }
            throw err;
          });
        if (made !== undefined) {
          // A job made between the read and the insert (ids are not reused): read it now.
          const job =
            made.job ?? (await db.autocommit('read a job', (q) => loadJob(q, made.run.jobId)));
          // Deleted since, with its runs.
          if (job === undefined) throw notFound('job', jobIdOrName);
          return { run: made.run, created: true, job };
        }
        // Nothing made: no job has that id (it may be a name), or the job is forbid.
      }
      // By id, a job that was not made a run of above is forbid (or has no such id): lock it now.
      const lock = keyed || byId ? forUpdate : '';
      return db.tx(
        'create a run',
        async (tx, [first = []] = []) => {
          let job = byId ? toLoadedJob(first) : undefined;
          if (job === undefined) {
            const named = await one(tx, 'select id from jobs where name = $1', [jobIdOrName]);
            job = named === undefined ? undefined : await loadJob(tx, String(named.id), lock);
          }
          if (job === undefined) throw notFound('job', jobIdOrName);
          if (job.overlap === 'forbid' && lock === '') {
            job = await loadJob(tx, job.id, forUpdate);
            if (job === undefined) throw notFound('job', jobIdOrName);
          }
          const jobId = job.id;
          if (opts.idempotencyKey !== undefined) {
            const row = await one(
              tx,
              `select ${RUN_COLUMNS} from runs where job_id = $1 and trigger_key = $2`,
              [idParam(jobId), opts.idempotencyKey],
            );
            if (row !== undefined) return { run: toRun(row), created: false, job };
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
          let run: Run | undefined;
          try {
            // The insert goes with the commit: one round trip.
            run = await insertRun(
              tx,
              job,
              {
                trigger: opts.checkpoint === undefined ? 'manual' : 'resume',
                ...(opts.idempotencyKey === undefined ? {} : { triggerKey: opts.idempotencyKey }),
                state: 'queued',
                attempt: 1,
                scheduledFor: tx.now,
                runAt: opts.runAt ?? tx.now,
                ...(opts.checkpoint === undefined ? {} : { checkpoint: opts.checkpoint }),
              },
              { last: true },
            );
          } catch (err) {
            // The job, read without a lock, was deleted before the insert (its foreign key).
            if ((err as { code?: unknown }).code === FOREIGN_KEY_VIOLATION) {
              throw notFound('job', jobIdOrName);
            }
            throw err;
          }
          if (run === undefined) {
            throw new AgentError('CONFLICT', 'the run was created concurrently; retry');
          }
          return { run, created: true, job };
        },
        byId ? { statements: [loadJobStatement(jobIdOrName, lock)] } : undefined,
      );
    },

    claimRuns: (nodeId, slots, upTo, aheadMs, leaseMs, liveWithinMs) =>
      db.tx(
        'claim runs',
        async (tx, [candidates = []] = []) => {
          const claimed: ClaimedRun[] = [];
          const changed: Run[] = [];
          if (slots <= 0) {
            const due = nextDueStatement(upTo);
            return { claimed, changed, next: toDueTimes(await tx.last(due.sql, due.params)) };
          }
          const live = Math.max(1, Number(candidates[0]?.live_nodes ?? 1));
          const share = Math.min(slots, Math.ceil(candidates.length / live));
          /** Each job as the candidates read it, unlocked: what decides whether to lock it. */
          const seen = new Map<string, Job>();
          /** Jobs locked and read once per claim, however many of their runs are due. */
          const locked = new Map<string, Job | undefined>();
          /** Claims in the candidates' order: made (under the job's lock), or to send (by index). */
          const order: (ClaimedRun | number)[] = [];
          /** Claims of runs whose job needs no decision, sent together with the commit. */
          const plain: { run: Run; version: number; token: string }[] = [];
          for (const row of candidates) {
            if (order.length >= share) break;
            const candidateRun = toRun(row);
            let view = seen.get(candidateRun.jobId);
            if (view === undefined) {
              view = toJob(
                { id: row.job_id, spec: row.job_spec, version: row.job_version },
                [],
                undefined,
              );
              seen.set(candidateRun.jobId, view);
            }
            // A fire made into a run ahead of time can still be missed (the agent was down or
            // busy): the job's misfire policy decides here too, as the planner does for fires not
            // yet made.
            const late = tx.now - candidateRun.runAt;
            const missed = (job: Job): boolean =>
              candidateRun.trigger === 'schedule' &&
              late > job.misfireGraceSec * 1000 &&
              job.misfire !== 'all';
            if (view.overlap === 'allow' && !missed(view)) {
              // Nothing to decide: the claim holds if the job is still as read (its version) and
              // no one is changing or deleting it (a row lock that waits for nobody).
              order.push(plain.length);
              plain.push({ run: candidateRun, version: view.version, token: randomUUID() });
              continue;
            }
            // Locking the job row serialises every decision about this job's runs across nodes; a
            // job another claimer holds is left to it (waiting could deadlock two claimers).
            if (!locked.has(candidateRun.jobId)) {
              locked.set(candidateRun.jobId, await loadJob(tx, candidateRun.jobId, skipLocked));
            }
            const job = locked.get(candidateRun.jobId);
            if (job === undefined) continue;
            const early = candidateRun.runAt > upTo;
            if (missed(job)) {
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
            // Made at once: the next run of this job in this claim sees it running.
            const token = randomUUID();
            const [took] = await tx.all(CLAIM_SQL, [
              idParam(candidateRun.id),
              nodeId,
              token,
              tx.now + leaseMs,
              Math.max(tx.now, candidateRun.runAt),
            ]);
            if (took !== undefined) order.push({ run: toRun(took), job, leaseToken: token });
          }

          // One round trip for the rest: the jobs of the plain claims (read after nothing changed
          // them, as the version check in each claim makes sure), the claims, nextDue and the commit.
          const unread = [
            ...new Set(plain.map((p) => p.run.jobId).filter((id) => locked.get(id) === undefined)),
          ];
          const reads = unread.map((id) => {
            const { sql, params } = loadJobStatement(id);
            return tx.all(sql, params);
          });
          const takes = plain.map((p) =>
            tx.all(claimPlain, [
              idParam(p.run.id),
              nodeId,
              p.token,
              tx.now + leaseMs,
              Math.max(tx.now, p.run.runAt),
              p.version,
            ]),
          );
          const due = nextDueStatement(upTo);
          const [jobRows, took, dueRows] = await Promise.all([
            Promise.all(reads),
            Promise.all(takes),
            tx.last(due.sql, due.params),
          ]);
          const read = new Map(unread.map((id, i) => [id, toLoadedJob(jobRows[i] ?? [])]));
          for (const entry of order) {
            if (typeof entry !== 'number') {
              claimed.push(entry);
              continue;
            }
            const row = took[entry]?.[0];
            const { run, token } = plain[entry]!;
            const job = locked.get(run.jobId) ?? read.get(run.jobId);
            // A claim made is a claim kept: its job was read in the same transaction.
            if (row !== undefined && job !== undefined) {
              claimed.push({ run: toRun(row), job, leaseToken: token });
            }
          }
          // Runs left due for the others: this node looks again shortly, in case nobody takes them.
          const shared = live > 1 && claimed.length === share && candidates.length > share;
          return { claimed, changed, next: toDueTimes(dueRows), shared };
        },
        slots <= 0
          ? undefined
          : {
              statements: [
                {
                  // The live nodes are counted in the same statement, and each run's job is read with
                  // it (its lock comes later, for the jobs that need one).
                  sql: `select ${RUN_COLUMNS},
                  (select spec from jobs where jobs.id = runs.job_id) as job_spec,
                  (select version from jobs where jobs.id = runs.job_id) as job_version
                  ${
                    liveWithinMs === undefined
                      ? ''
                      : `, (select count(*) from nodes where state = 'up'
                            and heartbeat_at > ${now} - $3) as live_nodes`
                  }
                from runs where state = 'queued' and run_at <= $1
                order by run_at, id limit $2 ${skipLocked}`,
                  params:
                    liveWithinMs === undefined
                      ? [upTo + aheadMs, slots * 4 + 8]
                      : [upTo + aheadMs, slots * 4 + 8, liveWithinMs],
                },
              ],
            },
      ),

    markStarted: async (runId, token, pgid, startedAt) => {
      const rows = await db.autocommit('record a started run', (q) =>
        q.all(
          `update runs set pgid = $3, started_at = ${now} - $4
           where id = $1 and lease_token = $2 and state = 'running' returning id`,
          [idParam(runId), token, pgid, startedAgo(startedAt)],
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

    finishRun: async (runId, token, outcome, retry, claimedJob) => {
      if (claimedJob !== undefined && endsAlone(claimedJob, outcome.state)) {
        // The end of a run of an allow job holds up no other run: nobody needs to hear of it
        // (a notification wakes every node, this one's listener too). Other jobs' queued runs
        // may wait for it, on any node.
        const run = await db.autocommit('finish a run', (q) =>
          closeAlone(q, runId, outcome, token, claimedJob.version, claimedJob.overlap !== 'allow'),
        );
        if (run !== undefined) return { run };
        // Fenced, or the job changed since the claim: the transaction below tells which.
      }
      return db.tx('finish a run', async (tx) => {
        // The update checks the lease and locks the row: no read before it.
        const ended = await closeRun(tx, runId, outcome, token);
        if (ended === undefined) return undefined;
        tx.announce('runs'); // a slot, or a job's overlap policy, no longer holds others up
        return afterEnd(tx, ended, await mustLoadJob(tx, ended.jobId), retry);
      });
    },

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
  };
}

/** An end that writes nothing but the run itself: no webhook wants it, and it is never retried. */
function endsAlone(job: Job, state: Run['state']): boolean {
  return (
    !RETRIABLE_STATES.has(state) &&
    !job.webhooks.some((hook) => (hook.events as string[]).includes(state))
  );
}

/** Leases renewed per statement: a bound on its parameters (2 per lease) and its length. */
const RENEW_BATCH = 500;

/** What createRun takes for an id rather than a name (a name may look like an id too). */
const JOB_ID = /^[0-9]{1,16}$/;

/** PostgreSQL's foreign_key_violation (SQLite has one writer: no insert races a deletion there). */
const FOREIGN_KEY_VIOLATION = '23503';

/**
 * A queued run claimed under a lease ($1 run, $2 node, $3 token, $4 expiry, $5 start). The start
 * stands until the runner writes its process's (markStarted, or with its end): the claim's time,
 * or the run's own if claimed ahead of it (the runner starts it then).
 */
const CLAIM_SQL = `update runs set state = 'running', node_id = $2, lease_token = $3,
    lease_expires_at = $4, started_at = $5
  where id = $1 and state = 'queued' returning ${RUN_COLUMNS}`;

/**
 * CLAIM_SQL for a job read unlocked: only while the job is at version $6 and no transaction is
 * changing or deleting it (`share`: the dialect's shareSkipLocked).
 */
const claimIfUnchanged = (share: string): string => `update runs set state = 'running',
    node_id = $2, lease_token = $3, lease_expires_at = $4, started_at = $5
  where id = $1 and state = 'queued' and exists (
    select 1 from jobs where jobs.id = runs.job_id and jobs.version = $6 ${share})
  returning ${RUN_COLUMNS}`;
