// The plans of the queries the listings, summaries, scheduler and retention issue (issue 25): every
// statement the jobs repository sends while serving them is captured from its SQL executor and
// explained (SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN on an analysed database), on a store
// with enough history that a planner prefers an index where one serves. A full scan of `jobs` or
// `runs` fails the test: it is a cost that grows with history.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { fillPostgres, fillSqlite } from '../bench/lib/scale-data.ts';
import { systemClock } from '../src/clock.ts';
import { createJobsRepository } from '../src/store/jobs/jobs-repository.ts';
import type { SqlExecutor, SqlStatements, SqlTx } from '../src/store/jobs/sql.ts';
import { createPostgresExecutor } from '../src/store/postgres/sql-executor.ts';
import { createPostgresStore } from '../src/store/postgres/postgres-store.ts';
import { createSqliteExecutor } from '../src/store/sqlite/sql-executor.ts';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { JobsStore } from '../src/store/store.ts';
import { startPostgres, type TestPostgres } from './support/postgres.ts';

/** Enough rows that an index is the planner's choice wherever one serves the query. */
const SIZE = { jobs: 5000, runs: 50_000 };
const WATCHED = new Set(['jobs', 'runs']);

interface Statement {
  sql: string;
  params: readonly unknown[];
}

/** An executor that records every statement before running it. */
function recording(db: SqlExecutor, seen: Statement[]): SqlExecutor {
  const watch = <T extends SqlStatements>(q: T): T => {
    const all: SqlStatements['all'] = (sql, params) => {
      seen.push({ sql, params: params ?? [] });
      return q.all(sql, params);
    };
    if (!('run' in q)) return { ...q, all };
    const tx = q as unknown as SqlTx;
    const run: SqlTx['run'] = (sql, params) => {
      seen.push({ sql, params: params ?? [] });
      return tx.run(sql, params);
    };
    return { all, run, now: tx.now, announce: tx.announce.bind(tx) } as unknown as T;
  };
  return {
    dialect: db.dialect,
    tx: (op, fn) => db.tx(op, (tx) => fn(watch(tx))),
    autocommit: (op, fn) => db.autocommit(op, (q) => fn(watch(q))),
  };
}

/** What the API, the scheduler and retention ask of the store, each way they ask it. */
async function exercise(store: JobsStore): Promise<void> {
  const first = await store.listJobs({ limit: 50 });
  const middle = first.at(-1)!.id;
  await store.listJobs({ limit: 50, after: middle });
  await store.listJobs({ limit: 50, namePrefix: 'job-000012' });
  const named = await store.listJobs({ limit: 50, namePrefix: '' });
  await store.listJobs({ limit: 50, namePrefix: '', after: named.at(-1)!.id });
  await store.listJobs({ limit: 50, kind: 'pipeline' });
  await store.latestRuns(first.map((j) => j.id));
  await store.jobTotals();
  await store.jobsGeneration();
  await store.countJobsByLastRun('pipeline');
  const finished = await store.listJobsByLastRun({
    kind: 'pipeline',
    states: ['succeeded', 'failed', 'canceled'],
    limit: 50,
    order: 'finished',
  });
  await store.listJobsByLastRun({
    kind: 'pipeline',
    states: ['succeeded', 'failed'],
    limit: 50,
    order: 'finished',
    after: finished.at(-1)!.cursor,
  });
  await store.listJobsByLastRun({
    kind: 'pipeline',
    states: ['', 'running'],
    limit: 50,
    order: 'id',
  });
  await store.listJobsByLastRun({
    kind: 'pipeline',
    states: ['', 'running'],
    limit: 50,
    order: 'id',
    after: middle,
  });
  await store.listRuns({ limit: 50 });
  const runs = await store.listRuns({ state: 'running', limit: 50 });
  await store.listRuns({ state: 'succeeded', limit: 50 });
  await store.listRuns({ jobId: first[0]!.id, limit: 50 });
  await store.listRuns({ limit: 50, before: (await store.listRuns({ limit: 1 }))[0]!.id });
  assert.equal(runs.length, 0);
  await store.nextDue(Date.now());
  await store.jobNames(first.map((j) => j.id));
  await store.getJob(middle);
  // Retention: by age (nothing that old), by count (nothing over), and the log budget's sum.
  await store.prune({ keepRuns: 100, maxAgeMs: 365 * 86_400_000, logBudgetBytes: 1 << 30 });
}

/** Names the watched tables go by in a statement: themselves, and their aliases (`runs r`). */
function watchedNames(sql: string): Map<string, string> {
  const names = new Map<string, string>([...WATCHED].map((t) => [t, t]));
  for (const m of sql.matchAll(/\b(jobs|runs)\s+(?:as\s+)?([a-z]\w*)\b/gi)) {
    const alias = m[2]!.toLowerCase();
    if (!['where', 'set', 'on', 'order', 'group', 'limit', 'join', 'left'].includes(alias)) {
      names.set(alias, m[1]!.toLowerCase());
    }
  }
  return names;
}

describe('query plans: no full scan of jobs or runs', () => {
  describe('SQLite', () => {
    let dir = '';
    let file = '';
    const seen: Statement[] = [];

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'bosun-plans-'));
      file = join(dir, 'bosun.db');
      const store = createSqliteStore({ path: file });
      await store.migrate();
      await store.close();
      await fillSqlite(file, SIZE, Date.now());
      const db = new DatabaseSync(file);
      try {
        const executor = createSqliteExecutor(db, systemClock, (_op, fn) => fn());
        await exercise(createJobsRepository(recording(executor, seen)));
      } finally {
        db.close();
      }
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('searches jobs and runs through an index in every statement', () => {
      assert.ok(seen.length > 20, `captured ${seen.length} statements`);
      const db = new DatabaseSync(file);
      db.function('bosun_now', () => Date.now());
      const scans: string[] = [];
      try {
        for (const { sql, params } of unique(seen)) {
          const plan = db
            .prepare(`explain query plan ${sql.replace(/\$(\d+)/g, '?$1')}`)
            .all(...(params as never[])) as { detail: string }[];
          const names = watchedNames(sql);
          for (const { detail } of plan) {
            const m = /^SCAN (\w+)/.exec(detail);
            // SQLite says SCAN for a walk of the table in key order too: bounded by the LIMIT when
            // nothing but the key filters it (the first page of jobs, or of runs).
            if (m && names.has(m[1]!) && !keyOrderPage(sql)) {
              scans.push(`${detail}\n    in: ${oneLine(sql)}`);
            }
          }
        }
      } finally {
        db.close();
      }
      assert.deepEqual(scans, []);
    });
  });

  describe('PostgreSQL', () => {
    let server: TestPostgres | undefined;
    let url = '';
    const db = `plans_${process.pid}_${Date.now()}`;
    const seen: Statement[] = [];

    before(async () => {
      server = await startPostgres();
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      await admin.query(`create database ${db}`);
      await admin.end();
      url = server.url.replace(/\/postgres$/, `/${db}`);
      const store = createPostgresStore({ url });
      await store.migrate();
      await store.close();
      await fillPostgres(url, SIZE, Date.now());
      const pool = new pg.Pool({ connectionString: url, max: 2 });
      try {
        const executor = createPostgresExecutor(pool, (_op, fn) => fn());
        await exercise(createJobsRepository(recording(executor, seen)));
      } finally {
        await pool.end();
      }
    });
    after(async () => {
      if (server === undefined) return;
      // The server may be shared (BOSUN_TEST_PG_URL): the database goes, whoever owns the server.
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      await admin.query(`drop database if exists ${db}`).finally(() => admin.end());
      await server.stop();
    });

    it('searches jobs and runs through an index in every statement', async () => {
      assert.ok(seen.length > 20, `captured ${seen.length} statements`);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const scans: string[] = [];
      try {
        for (const { sql, params } of unique(seen)) {
          const { rows } = await client.query<{ 'QUERY PLAN': PlanNode[] }>(
            `explain (format json) ${sql}`,
            params as unknown[],
          );
          for (const node of walk(rows[0]!['QUERY PLAN'][0]!.Plan)) {
            if (node['Node Type'] === 'Seq Scan' && WATCHED.has(node['Relation Name'] ?? '')) {
              scans.push(`Seq Scan on ${node['Relation Name']}\n    in: ${oneLine(sql)}`);
            }
          }
        }
      } finally {
        await client.end();
      }
      assert.deepEqual(scans, []);
    });
  });
});

interface PlanNode {
  Plan: PlanNode;
  'Node Type'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

function* walk(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* walk(child);
}

/** One of each statement text (the first parameters it ran with). */
function unique(statements: readonly Statement[]): Statement[] {
  const byText = new Map<string, Statement>();
  for (const s of statements) if (!byText.has(s.sql)) byText.set(s.sql, s);
  return [...byText.values()];
}

/** A page in key order with no filter: `select … from jobs|runs order by id [desc] limit $n`. */
const keyOrderPage = (sql: string): boolean =>
  /^select [^()]* from (jobs|runs)\s+order by id( desc)?\s+limit \$\d+$/.test(oneLine(sql));

const oneLine = (sql: string): string => sql.replace(/\s+/g, ' ').trim();
