// Retention by count across many batches of jobs (prune.ts reads only the jobs over their count,
// 200 jobs a statement), on both stores: the policy's count, a job's own keepRuns, unfinished runs
// never counted out. The history is written with each backend's driver; what must be left is
// computed here from what was written.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import {
  createTestSchema,
  startPostgres,
  type TestPostgres,
} from '../../../test/support/postgres.ts';
import { createPostgresStore } from '../postgres/postgres-store.ts';
import { createSqliteStore } from '../sqlite/sqlite-store.ts';
import type { Store } from '../store.ts';

const JOBS = 530;
const POLICY_KEEP = 3;

interface Db {
  all(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

interface Backend {
  name: string;
  mark(n: number): string;
  /** A migrated store over a fresh database, and a raw connection to it. */
  fresh(): Promise<{ db: Db; store: Store }>;
}

let postgres: TestPostgres | undefined;
const dir = mkdtempSync(join(tmpdir(), 'bosun-prune-'));
describe('prune', () => {
  before(async () => {
    postgres = await startPostgres();
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await postgres?.stop();
  });

  const backends: Backend[] = [
    {
      name: 'SQLite',
      mark: (n) => `?${n}`,
      fresh: async () => {
        const path = join(dir, `db-${Math.random().toString(36).slice(2)}.db`);
        const store = createSqliteStore({ path });
        await store.migrate();
        const raw = new DatabaseSync(path);
        return {
          store,
          db: {
            all: async (sql, params = []) =>
              raw.prepare(sql).all(...(params as SQLInputValue[])) as Array<
                Record<string, unknown>
              >,
            close: async () => raw.close(),
          },
        };
      },
    },
    {
      name: 'PostgreSQL',
      mark: (n) => `$${n}`,
      fresh: async () => {
        const url = postgres!.url;
        const { schema } = await createTestSchema(url);
        const store = createPostgresStore({ url, schema, poolSize: 2 });
        await store.migrate();
        const client = new pg.Client({
          connectionString: url,
          options: `-c search_path=${schema}`,
        });
        await client.connect();
        return {
          store,
          db: {
            all: async (sql, params = []) => (await client.query(sql, params)).rows,
            close: () => client.end(),
          },
        };
      },
    },
  ];

  for (const backend of backends) {
    describe(`Retention by count on ${backend.name}`, () => {
      it('keeps the newest finished runs of each job over several batches of jobs', async () => {
        const { db, store } = await backend.fresh();
        const m = backend.mark;
        const kept = new Map<number, number[]>();
        try {
          await db.all('begin');
          let runId = 1_000_000;
          for (let i = 1; i <= JOBS; i++) {
            const id = i * 2;
            // Every 50th job keeps 5 of its own; the others the policy's 3.
            const keepRuns = i % 50 === 0 ? 5 : 0;
            const spec = JSON.stringify(keepRuns > 0 ? { cmd: 'true', keepRuns } : { cmd: 'true' });
            await db.all(
              `insert into jobs (id, name, spec, enabled, overlap, version, created_at, updated_at)
             values (${m(1)}, ${m(2)}, ${m(3)}, 1, 'allow', 1, 0, 0)`,
              [id, `job-${id}`, spec],
            );
            const finished: number[] = [];
            for (let k = 0; k < i % 9; k++) {
              const run = runId++;
              await db.all(
                `insert into runs (id, job_id, trigger, state, attempt, scheduled_for, run_at,
                 created_at, finished_at, single_flight)
               values (${m(1)}, ${m(2)}, 'manual', 'succeeded', 1, 0, 0, 0, ${m(3)}, 0)`,
                [run, id, Date.now()],
              );
              finished.push(run);
            }
            // A run still going is neither counted out nor deleted.
            const going = runId++;
            await db.all(
              `insert into runs (id, job_id, trigger, state, attempt, scheduled_for, run_at,
               created_at, single_flight)
             values (${m(1)}, ${m(2)}, 'manual', 'queued', 1, 0, 0, 0, 0)`,
              [going, id],
            );
            kept.set(id, [...finished.slice(-(keepRuns || POLICY_KEEP)), going]);
          }
          await db.all('commit');

          const pruned = await store.prune({
            keepRuns: POLICY_KEEP,
            maxAgeMs: 3_600_000,
            logBudgetBytes: 1e9,
          });

          const left = new Map<number, number[]>();
          for (const row of await db.all('select id, job_id from runs order by id')) {
            const list = left.get(Number(row.job_id)) ?? [];
            list.push(Number(row.id));
            left.set(Number(row.job_id), list);
          }
          assert.deepEqual(left, kept);
          const before = JOBS + [...Array(JOBS).keys()].reduce((a, i) => a + ((i + 1) % 9), 0);
          const after = [...kept.values()].reduce((a, l) => a + l.length, 0);
          assert.equal(pruned.runs, before - after);
        } finally {
          await store.close();
          await db.close();
        }
      });
    });
  }
});
