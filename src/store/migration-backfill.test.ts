// Migrations that write rows (issue 25): migration 7's backfill of job_last_runs and job_totals runs
// in bounded batches of jobs after the schema is in, on both stores, and a backfill cut short
// resumes where it stopped, with what the triggers wrote meanwhile counted once. The history is written at schema version 6 with each
// backend's own driver, as an agent of that version left it; the expected aggregates are computed
// here from what was written, not read back from the store.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestSchema, startPostgres, type TestPostgres } from '../../test/support/postgres.ts';
import { latestVersion, type Migration } from './migrations.ts';
import { MIGRATIONS as POSTGRES_MIGRATIONS } from './postgres/migrations.ts';
import { createPostgresStore } from './postgres/postgres-store.ts';
import { MIGRATIONS as SQLITE_MIGRATIONS } from './sqlite/migrations.ts';
import { createSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

/** Enough jobs for several batches of migration 7's backfill (500 jobs each) and a short last one. */
const JOBS = 1203;
const BEFORE_BACKFILL = 6;

interface Raw {
  exec(sql: string): Promise<void>;
  all(
    sql: string,
    params?: unknown[] | Record<string, unknown>,
  ): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

interface Backend {
  name: string;
  migrations: readonly Migration[];
  /** A raw connection to a new, empty database and a store over the same database. */
  fresh(): Promise<{ raw: Raw; open(): Store }>;
  /** Placeholders of the backend's driver: `?n` or `$n`. */
  mark(n: number): string;
  /** A backfill batch's bounds as the backend's statements take them. */
  bounds(after: number, upTo: number): unknown[] | Record<string, unknown>;
}

interface JobRow {
  id: number;
  kind: 'command' | 'pipeline';
}
interface RunRow {
  id: number;
  jobId: number;
  state: string;
  finishedAt: number | null;
}

/** A history as version 6 held it: some jobs with no runs, some with only queued ones. */
function history(): { jobs: JobRow[]; runs: RunRow[] } {
  const jobs: JobRow[] = [];
  const runs: RunRow[] = [];
  const states = ['succeeded', 'failed', 'queued', 'running', 'canceled'];
  let runId = 1_000_000;
  for (let i = 1; i <= JOBS; i++) {
    const id = i * 3; // gaps in the ids, as time-ordered ids have
    jobs.push({ id, kind: i % 7 === 0 ? 'pipeline' : 'command' });
    for (let k = 0; k < i % 5; k++) {
      const state = states[(i + k) % states.length]!;
      const finished = state !== 'queued' && state !== 'running';
      runs.push({
        id: runId++,
        jobId: id,
        state,
        finishedAt: finished ? 1_700_000_000_000 + k : null,
      });
    }
  }
  return { jobs, runs };
}

/** What job_last_runs and job_totals must hold for a history: computed from it alone. */
function expected(h: { jobs: JobRow[]; runs: RunRow[] }) {
  const last = new Map<number, RunRow>();
  for (const run of h.runs) {
    if (run.state === 'queued') continue;
    const seen = last.get(run.jobId);
    if (seen === undefined || seen.id < run.id) last.set(run.jobId, run);
  }
  const totals: Record<string, number> = {};
  for (const job of h.jobs) totals[job.kind] = (totals[job.kind] ?? 0) + 1;
  const rows = h.jobs.map((job) => {
    const run = last.get(job.id);
    return {
      job_id: job.id,
      kind: job.kind,
      run_id: run?.id ?? null,
      state: run?.state ?? '',
      finished_at: run?.finishedAt ?? null,
    };
  });
  return { rows, totals };
}

async function writeVersion6(raw: Raw, b: Backend, h: { jobs: JobRow[]; runs: RunRow[] }) {
  await raw.exec('begin');
  await raw.exec(
    `create table schema_migrations (version integer primary key, name text not null, applied_at bigint not null)`,
  );
  for (const m of b.migrations.slice(0, BEFORE_BACKFILL)) {
    await raw.exec(m.sql);
    await raw.exec(
      `insert into schema_migrations (version, name, applied_at) values (${m.version}, 'v${m.version}', 0)`,
    );
  }
  const m = (n: number) => b.mark(n);
  for (const job of h.jobs) {
    const spec = JSON.stringify(job.kind === 'pipeline' ? { kind: 'pipeline' } : { cmd: 'true' });
    await raw.all(
      `insert into jobs (id, name, spec, enabled, overlap, version, created_at, updated_at)
       values (${m(1)}, ${m(2)}, ${m(3)}, 1, 'allow', 1, 0, 0)`,
      [job.id, `job-${job.id}`, spec],
    );
  }
  for (const run of h.runs) {
    await raw.all(
      `insert into runs (id, job_id, trigger, state, attempt, scheduled_for, run_at, created_at,
         finished_at, single_flight)
       values (${m(1)}, ${m(2)}, 'manual', ${m(3)}, 1, 0, 0, 0, ${m(4)}, 0)`,
      [run.id, run.jobId, run.state, run.finishedAt],
    );
  }
  await raw.exec('commit');
}

async function aggregates(raw: Raw) {
  const rows = (
    await raw.all(
      'select job_id, kind, run_id, state, finished_at from job_last_runs order by job_id',
    )
  ).map((r) => ({
    job_id: Number(r.job_id),
    kind: String(r.kind),
    run_id: r.run_id === null ? null : Number(r.run_id),
    state: String(r.state),
    finished_at: r.finished_at === null ? null : Number(r.finished_at),
  }));
  const totals: Record<string, number> = {};
  for (const r of await raw.all('select kind, n from job_totals where n <> 0')) {
    totals[String(r.kind)] = Number(r.n);
  }
  return { rows, totals };
}

function sqliteBackend(): Backend & { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-backfill-'));
  let count = 0;
  return {
    name: 'SQLite',
    dir,
    migrations: SQLITE_MIGRATIONS,
    mark: (n) => `?${n}`,
    bounds: (after, upTo) => ({ after, upTo }),
    fresh: async () => {
      const path = join(dir, `db-${++count}.db`);
      const db = new DatabaseSync(path);
      const raw: Raw = {
        exec: async (sql) => db.exec(sql),
        all: async (sql, params = []) =>
          (Array.isArray(params)
            ? db.prepare(sql).all(...(params as SQLInputValue[]))
            : db.prepare(sql).all(params as Record<string, SQLInputValue>)) as Array<
            Record<string, unknown>
          >,
        close: async () => db.close(),
      };
      return { raw, open: () => createSqliteStore({ path }) };
    },
  };
}

function postgresBackend(server: () => TestPostgres): Backend {
  return {
    name: 'PostgreSQL',
    migrations: POSTGRES_MIGRATIONS,
    mark: (n) => `$${n}`,
    bounds: (after, upTo) => [after, upTo],
    fresh: async () => {
      const url = server().url;
      const { schema } = await createTestSchema(url);
      const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
      await client.connect();
      const raw: Raw = {
        exec: async (sql) => {
          await client.query(sql);
        },
        all: async (sql, params = []) => (await client.query(sql, params as unknown[])).rows,
        close: () => client.end(),
      };
      return { raw, open: () => createPostgresStore({ url, schema, poolSize: 2 }) };
    },
  };
}

let postgres: TestPostgres | undefined;
const sqlite = sqliteBackend();
describe('migration-backfill', () => {
  before(async () => {
    postgres = await startPostgres();
  });
  after(async () => {
    rmSync(sqlite.dir, { recursive: true, force: true });
    await postgres?.stop();
  });

  for (const backend of [sqlite, postgresBackend(() => postgres!)]) {
    describe(`Migration 7's backfill on ${backend.name}`, () => {
      it('fills job_last_runs and job_totals from a version 6 history, batch by batch', async () => {
        const { raw, open } = await backend.fresh();
        const h = history();
        await writeVersion6(raw, backend, h);
        const store = open();
        try {
          await store.migrate();
          assert.equal(await store.schemaVersion(), latestVersion(backend.migrations));
          assert.deepEqual(await aggregates(raw), expected(h));
          assert.deepEqual(await raw.all('select version from schema_backfills'), []);
          // The triggers take over from the backfill: a new job is counted and gets its row.
          await raw.all(
            `insert into jobs (id, name, spec, enabled, overlap, version, created_at, updated_at)
           values (${backend.mark(1)}, 'late', '{}', 1, 'allow', 1, 0, 0)`,
            [10_000_000],
          );
          const after = await aggregates(raw);
          assert.equal(after.totals.command, expected(h).totals.command! + 1);
          assert.equal(after.rows.at(-1)?.job_id, 10_000_000);
        } finally {
          await store.close();
          await raw.close();
        }
      });

      it('resumes a backfill cut short, with the jobs written meanwhile counted once', async () => {
        const { raw, open } = await backend.fresh();
        const h = history();
        await writeVersion6(raw, backend, h);
        // What an agent killed after the first batch leaves: the schema in, one batch done and
        // recorded in schema_backfills.
        const seven = backend.migrations[BEFORE_BACKFILL]!;
        await raw.exec(seven.sql);
        await raw.exec(
          `insert into schema_migrations (version, name, applied_at) values (7, 'v7', 0)`,
        );
        await raw.exec(
          `create table schema_backfills (version integer primary key, after bigint not null)`,
        );
        const batchEnd = h.jobs[seven.backfill!.batchJobs - 1]!.id;
        for (const sql of seven.backfill!.statements) {
          await raw.all(sql, backend.bounds(0, batchEnd));
        }
        await raw.exec(`insert into schema_backfills (version, after) values (7, ${batchEnd})`);
        assert.equal((await aggregates(raw)).rows.length, seven.backfill!.batchJobs);
        // Then, before the next start, through the triggers: a job the backfill did goes, one it
        // had not reached goes, and a new job comes.
        const done = h.jobs[10]!;
        const notYet = h.jobs[900]!;
        for (const job of [done, notYet]) {
          await raw.all(`delete from jobs where id = ${backend.mark(1)}`, [job.id]);
        }
        await raw.all(
          `insert into jobs (id, name, spec, enabled, overlap, version, created_at, updated_at)
         values (${backend.mark(1)}, 'meanwhile', '{"kind":"pipeline"}', 1, 'allow', 1, 0, 0)`,
          [1],
        );
        const store = open();
        try {
          await store.migrate();
          const left = (id: number) => id !== done.id && id !== notYet.id;
          const want = expected({
            jobs: [{ id: 1, kind: 'pipeline' }, ...h.jobs.filter((j) => left(j.id))],
            runs: h.runs.filter((r) => left(r.jobId)),
          });
          assert.deepEqual(await aggregates(raw), want);
          assert.deepEqual(await raw.all('select version from schema_backfills'), []);
        } finally {
          await store.close();
          await raw.close();
        }
      });
    });
  }
});
