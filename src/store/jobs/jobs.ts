// Jobs and their schedules: definitions, reads, the generation, and materialize, which turns due
// schedule fires into runs and moves each schedule's cursor in the same transaction.
import { AgentError } from '../../errors.ts';
import type { Job, JobPackage } from '../../model/jobs.ts';
import type { Run } from '../../model/runs.ts';
import type { Schedule } from '../../model/schedules.ts';
import type { JobsStore, NewJob } from '../store.ts';
import { idParam, num, toJob, toPackage, toSchedule } from './rows.ts';
import { JOB_COLUMNS, SCHEDULE_COLUMNS, type Shared } from './shared.ts';
import { one, type SqlExecutor, type SqlTx } from './sql.ts';

export type JobsPart = Pick<
  JobsStore,
  | 'createJob'
  | 'updateJob'
  | 'deleteJob'
  | 'jobNames'
  | 'getJob'
  | 'listJobs'
  | 'jobsGeneration'
  | 'nextDue'
  | 'materialize'
>;

export function createJobs(db: SqlExecutor, shared: Shared): JobsPart {
  const { skipLocked, forUpdate } = db.dialect;
  const { findJob, mustLoadJob, bumpGeneration, insertRun, nextDue } = shared;

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

    getJob: (idOrName) => db.autocommit('read a job', (tx) => findJob(tx, idOrName)),

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
  };
}
