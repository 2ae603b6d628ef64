// What the pieces of the jobs repository share: a job read with its schedules and package, a run read,
// the generation every change of a job bumps, and (from run-lifecycle.ts) how runs begin and end.
import { AgentError } from '../../errors.ts';
import type { Job } from '../../model/jobs.ts';
import type { Run } from '../../model/runs.ts';
import { idParam, RUN_COLUMNS, toJob, toPackage, toRun, toSchedule } from './rows.ts';
import { createRunLifecycle, type RunLifecycle } from './run-lifecycle.ts';
import {
  one,
  type SqlExecutor,
  type SqlRow,
  type SqlStatement,
  type SqlStatements,
  type SqlTx,
} from './sql.ts';

export const JOB_COLUMNS = 'id, name, spec, enabled, overlap, version, created_at, updated_at';
export const SCHEDULE_COLUMNS = 'id, job_id, position, spec, anchor_at, enabled, next_fire_at';

export interface Shared extends RunLifecycle {
  /** A job with its schedules and package; lock: '', forUpdate or skipLocked (see below). */
  loadJob(tx: SqlStatements, id: string, lock?: string): Promise<Job | undefined>;
  /** loadJob as a statement (to send with others), and its rows read as the job. */
  loadJobStatement(id: string, lock?: string): SqlStatement;
  toLoadedJob(rows: readonly SqlRow[]): Job | undefined;
  /** loadJob by id, else by name (a name may look like an id). */
  findJob(tx: SqlStatements, idOrName: string, lock?: string): Promise<Job | undefined>;
  /** loadJob, or a NOT_FOUND AgentError. */
  mustLoadJob(tx: SqlTx, id: string, lock?: string): Promise<Job>;
  /** A run; lock: keep its row locked until the commit. */
  loadRun(tx: SqlStatements, id: string, lock?: boolean): Promise<Run | undefined>;
  bumpGeneration(tx: SqlTx): Promise<void>;
}

export function createShared(db: SqlExecutor): Shared {
  const { forUpdate } = db.dialect;

  /**
   * A job with its schedules and package, in one statement: a row per schedule (one with none).
   * lock: '' to read, forUpdate to lock the job's row, skipLocked to lock it or get undefined if
   * another transaction holds it.
   */
  async function loadJob(tx: SqlStatements, id: string, lock = ''): Promise<Job | undefined> {
    const { sql, params } = loadJobStatement(id, lock);
    return toLoadedJob(await tx.all(sql, params));
  }

  function loadJobStatement(id: string, lock = ''): SqlStatement {
    return {
      sql: `with j as (select ${JOB_COLUMNS} from jobs where id = $1 ${lock})
       select j.*, s.id as s_id, s.spec as s_spec, s.anchor_at as s_anchor_at,
         s.next_fire_at as s_next_fire_at, p.sha256 as p_sha256, p.size as p_size,
         p.uploaded_at as p_uploaded_at
       from j left join schedules s on s.job_id = j.id left join packages p on p.job_id = j.id
       order by s.position`,
      params: [idParam(id)],
    };
  }

  function toLoadedJob(rows: readonly SqlRow[]): Job | undefined {
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

  async function findJob(tx: SqlStatements, idOrName: string, lock = ''): Promise<Job | undefined> {
    if (/^[0-9]{1,16}$/.test(idOrName)) {
      const byId = await loadJob(tx, idOrName, lock);
      if (byId !== undefined) return byId;
    }
    const row = await one(tx, 'select id from jobs where name = $1', [idOrName]);
    return row === undefined ? undefined : loadJob(tx, String(row.id), lock);
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

  return {
    loadJob,
    loadJobStatement,
    toLoadedJob,
    findJob,
    mustLoadJob,
    loadRun,
    bumpGeneration,
    ...createRunLifecycle(db.dialect),
  };
}

export function notFound(what: 'job' | 'run', id: string): AgentError {
  const list = what === 'job' ? 'GET /api/v1/jobs' : 'GET /api/v1/runs';
  return new AgentError('NOT_FOUND', `${what} ${id} does not exist; ${list} lists them`);
}
