// Jobs and their schedules: definitions, reads, the generation, and materialize, which turns due
// schedule fires into runs and moves each schedule's cursor in the same transaction.
import { AgentError } from '../../errors.ts';
import type { Job, JobKind, JobPackage } from '../../model/jobs.ts';
import type { Run } from '../../model/runs.ts';
import type { Schedule } from '../../model/schedules.ts';
import type { JobsStore, LastRunState, NewJob } from '../store.ts';
import { idParam, num, RUN_COLUMNS, toJob, toPackage, toRun, toSchedule } from './rows.ts';
import { JOB_COLUMNS, SCHEDULE_COLUMNS, type Shared } from './shared.ts';
import { one, type SqlExecutor, type SqlRow, type SqlStatements, type SqlTx } from './sql.ts';

/**
 * An `in (…)` list of ids: `$1, $2…` and its parameters, padded to a power of two with the last id
 * repeated, so that pages of any size make a few statement texts to prepare and keep, not one per size.
 */
export function idList(ids: readonly number[]): { marks: string; params: number[] } {
  let size = 1;
  while (size < ids.length) size *= 2;
  const params = Array.from({ length: size }, (_, i) => ids[Math.min(i, ids.length - 1)]!);
  return { marks: params.map((_, i) => `$${i + 1}`).join(', '), params };
}

export type JobsPart = Pick<
  JobsStore,
  | 'createJob'
  | 'updateJob'
  | 'deleteJob'
  | 'jobNames'
  | 'getJob'
  | 'listJobs'
  | 'jobTotals'
  | 'countJobsByLastRun'
  | 'listJobsByLastRun'
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

  /** The name of the job a name-ordered page ended with; INVALID_INPUT if it is gone. */
  async function nameOf(tx: SqlStatements, id: string): Promise<string> {
    const row = await one(tx, 'select name from jobs where id = $1', [idParam(id)]);
    if (row === undefined) {
      throw new AgentError(
        'INVALID_INPUT',
        `cursor ${id} names a job deleted since the page was read; list again from the first page`,
      );
    }
    return String(row.name);
  }

  /** Jobs from their rows, with their schedules and packages read in one statement each by key. */
  async function withSchedules(tx: SqlStatements, rows: SqlRow[]): Promise<Job[]> {
    if (rows.length === 0) return [];
    const ids = idList(rows.map((row) => num(row.id)));
    const schedules = new Map<string, Schedule[]>();
    for (const row of await tx.all(
      `select ${SCHEDULE_COLUMNS} from schedules where job_id in (${ids.marks})
       order by job_id, position`,
      ids.params,
    )) {
      const s = toSchedule(row);
      const list = schedules.get(s.jobId) ?? [];
      list.push(s);
      schedules.set(s.jobId, list);
    }
    const packages = new Map<string, JobPackage>();
    for (const row of await tx.all(
      `select job_id, sha256, size, uploaded_at from packages where job_id in (${ids.marks})`,
      ids.params,
    )) {
      packages.set(String(row.job_id), toPackage(row));
    }
    return rows.map((row) =>
      toJob(row, schedules.get(String(row.id)) ?? [], packages.get(String(row.id))),
    );
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
        const where: string[] = [];
        const add = (clause: string, ...values: unknown[]): void => {
          let next = 0;
          where.push(
            clause.replace(/\?/g, () => {
              params.push(values[next++]);
              return `$${params.length}`;
            }),
          );
        };
        if (page.kind !== undefined) add('kind = ?', page.kind);
        if (page.namePrefix !== undefined) {
          // Byte order on both stores (PostgreSQL's column is collated "C"): a prefix is a range.
          add('name >= ? and name < ?', page.namePrefix, `${page.namePrefix}\u{10FFFF}`);
          if (page.after !== undefined) add('name > ?', await nameOf(tx, page.after));
        } else if (page.after !== undefined) {
          add('id > ?', idParam(page.after));
        }
        params.push(page.limit);
        const rows = await tx.all(
          `select ${JOB_COLUMNS} from jobs ${where.length > 0 ? `where ${where.join(' and ')}` : ''}
           order by ${page.namePrefix === undefined ? 'id' : 'name'} limit $${params.length}`,
          params,
        );
        return withSchedules(tx, rows);
      }),

    jobTotals: () =>
      db.autocommit('count jobs', async (tx) => {
        const totals: Record<JobKind, number> = { command: 0, pipeline: 0 };
        for (const row of await tx.all('select kind, n from job_totals')) {
          totals[String(row.kind) as JobKind] = num(row.n);
        }
        return totals;
      }),

    countJobsByLastRun: (kind) =>
      db.autocommit('count jobs by their latest run', async (tx) => {
        const rows = await tx.all(
          'select state, count(*) as n from job_last_runs where kind = $1 group by state',
          [kind],
        );
        return new Map(rows.map((row) => [String(row.state) as LastRunState, num(row.n)]));
      }),

    listJobsByLastRun: (query) =>
      db.autocommit('list jobs by their latest run', async (tx) => {
        const byEnd = query.order === 'finished';
        const [at, id] = (query.after ?? '').split(':').map(Number);
        // One indexed range per state (each in the listing's order), merged: a page costs what it
        // returns times the number of states, however many jobs there are.
        const found: SqlRow[] = [];
        for (const state of new Set(query.states)) {
          const params: unknown[] = [query.kind, state];
          let after = '';
          if (query.after !== undefined && !byEnd) {
            params.push(idParam(query.after));
            after = 'and job_id > $3';
          } else if (query.after !== undefined) {
            params.push(at, id);
            // A row value: both stores read it as one range of the (…, finished_at, job_id) index.
            after = 'and (finished_at, job_id) > ($3, $4)';
          }
          params.push(query.limit);
          found.push(
            ...(await tx.all(
              `select job_id, run_id, finished_at from job_last_runs
               where kind = $1 and state = $2 ${byEnd ? 'and finished_at is not null' : ''} ${after}
               order by ${byEnd ? 'finished_at, job_id' : 'job_id'} limit $${params.length}`,
              params,
            )),
          );
        }
        found.sort((a, b) =>
          byEnd && num(a.finished_at) !== num(b.finished_at)
            ? num(a.finished_at) - num(b.finished_at)
            : num(a.job_id) - num(b.job_id),
        );
        found.splice(query.limit);
        if (found.length === 0) return [];
        const ids = idList(found.map((row) => num(row.job_id)));
        const jobs = new Map(
          (
            await withSchedules(
              tx,
              await tx.all(
                `select ${JOB_COLUMNS} from jobs where id in (${ids.marks})`,
                ids.params,
              ),
            )
          ).map((job) => [job.id, job]),
        );
        const runIds = found.flatMap((row) => (row.run_id === null ? [] : [num(row.run_id)]));
        const runList = idList(runIds);
        const runs = new Map(
          runIds.length === 0
            ? []
            : (
                await tx.all(
                  `select ${RUN_COLUMNS} from runs where id in (${runList.marks})`,
                  runList.params,
                )
              ).map((row) => [String(row.id), toRun(row)]),
        );
        return found.flatMap((row) => {
          const job = jobs.get(String(row.job_id));
          if (job === undefined) return []; // deleted between the two reads
          const lastRun = row.run_id === null ? undefined : runs.get(String(row.run_id));
          const cursor = byEnd ? `${num(row.finished_at)}:${job.id}` : job.id;
          return [{ job, lastRun, cursor }];
        });
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
