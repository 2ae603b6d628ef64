import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { newJob } from '../../../test/support/jobs.ts';
import { startPostgres, type TestPostgres } from '../../../test/support/postgres.ts';
import { AgentError } from '../../errors.ts';
import { latestVersion } from '../migrations.ts';
import { MIGRATIONS } from './migrations.ts';
import { createPostgresStore } from './postgres-store.ts';

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 1;
}

describe('createPostgresStore', () => {
  it('reports a refused connection with the address, the masked URL and the fix', async () => {
    const port = await closedPort();
    const store = createPostgresStore({ url: `postgres://bosun:s3cret@127.0.0.1:${port}/bosun` });
    await assert.rejects(store.migrate(), (err: unknown) => {
      assert.ok(err instanceof AgentError);
      assert.equal(err.code, 'STORE_UNAVAILABLE');
      assert.equal(err.status, 503);
      assert.equal(
        err.message,
        `cannot connect to PostgreSQL at 127.0.0.1:${port}: connection refused; check --store ` +
          `(postgres://bosun:***@127.0.0.1:${port}/bosun) and that the server is running`,
      );
      return true;
    });
    await store.close();
  });

  it('rejects a schema name that is not a plain identifier', () => {
    assert.throws(
      () => createPostgresStore({ url: 'postgres://127.0.0.1/x', schema: 'a"; drop table x' }),
      (err: unknown) => err instanceof AgentError && err.code === 'INVALID_CONFIG',
    );
  });

  describe('on a server', () => {
    let server: TestPostgres;
    before(async () => {
      server = await startPostgres();
    });
    after(() => server.stop());

    it('creates its schema when missing and keeps its tables there', async () => {
      const schema = `missing_${process.pid}`;
      const store = createPostgresStore({ url: server.url, schema });
      await store.migrate();
      await store.setSetting('k', 'v');
      await store.close();

      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        const tables = await client.query<{ table_name: string }>(
          `select table_name from information_schema.tables where table_schema = $1 order by table_name`,
          [schema],
        );
        assert.deepEqual(
          tables.rows.map((r) => r.table_name),
          [
            'job_last_runs',
            'job_totals',
            'jobs',
            'nodes',
            'outbox',
            'package_chunks',
            'packages',
            'run_log_chunks',
            'runs',
            'schedules',
            'schema_backfills',
            'schema_migrations',
            'settings',
          ],
        );
        await client.query(`drop schema "${schema}" cascade`);
      } finally {
        await client.end();
      }
    });

    it('names the missing migration when used before migrate()', async () => {
      const store = createPostgresStore({ url: server.url, schema: `unmigrated_${process.pid}` });
      assert.equal(await store.schemaVersion(), 0);
      await assert.rejects(store.listNodes(), (err: unknown) => {
        assert.ok(err instanceof AgentError);
        assert.match(err.message, /cannot list nodes in PostgreSQL at .*not been migrated/);
        return true;
      });
      await store.close();
    });

    it('lets several stores migrate one fresh schema at once', async () => {
      const schema = `race_${process.pid}`;
      const stores = Array.from({ length: 6 }, () =>
        createPostgresStore({ url: server.url, schema, poolSize: 2 }),
      );
      try {
        await Promise.all(stores.map((s) => s.migrate()));
        for (const s of stores) assert.equal(await s.schemaVersion(), latestVersion(MIGRATIONS));
      } finally {
        await Promise.allSettled(stores.map((s) => s.close()));
      }
      const cleanup = new pg.Client({ connectionString: server.url });
      await cleanup.connect();
      await cleanup.query(`drop schema "${schema}" cascade`);
      await cleanup.end();
    });

    it("waits out another node's migration however long, past the client's query timeout", async () => {
      const schema = `slow_${process.pid}`;
      const store = createPostgresStore({ url: server.url, schema, queryTimeoutMs: 300 });
      const other = new pg.Client({ connectionString: server.url });
      await other.connect();
      try {
        // Another node migrating: it holds the schema's migration lock for three query timeouts.
        await other.query('begin');
        await other.query(`select pg_advisory_xact_lock(hashtext('bosun.migrate'), hashtext($1))`, [
          schema,
        ]);
        const migrating = store.migrate();
        await new Promise((resolve) => setTimeout(resolve, 900));
        await other.query('commit');
        await migrating;
        assert.equal(await store.schemaVersion(), latestVersion(MIGRATIONS));
      } finally {
        await other.end();
        await store.close();
        const cleanup = new pg.Client({ connectionString: server.url });
        await cleanup.connect();
        await cleanup.query(`drop schema if exists "${schema}" cascade`);
        await cleanup.end();
      }
    });

    it("makes and claims an allow job's runs beside other claimers, not while the job changes", async () => {
      const schema = `locks_${process.pid}`;
      const store = createPostgresStore({ url: server.url, schema });
      const other = new pg.Client({
        connectionString: server.url,
        options: `-c search_path=${schema}`,
      });
      await store.migrate();
      await other.connect();
      const claim = () => store.claimRuns('node-a', 5, Date.now() + 1000, 0, 30_000);
      try {
        const job = await store.createJob(newJob());
        // An edit or a deletion of the job holds its row so (a claim of a job that decides on
        // its runs too): a run is still made, and left queued until the change is in.
        await other.query('begin');
        await other.query('select 1 from jobs where id = $1 for no key update', [Number(job.id)]);
        assert.equal((await store.createRun(job.id, {})).created, true);
        const held = await claim();
        assert.deepEqual(held.claimed, [], 'not claimed under a job being changed');
        assert.equal(held.next.blocked, true, 'and still due');
        await other.query('rollback');
        assert.equal((await claim()).claimed.length, 1);

        // Another claimer's share of the job holds up neither the making nor the claim.
        await other.query('begin');
        await other.query('select 1 from jobs where id = $1 for share', [Number(job.id)]);
        assert.equal((await store.createRun(job.id, {})).created, true);
        assert.equal((await claim()).claimed.length, 1);
        await other.query('rollback');
      } finally {
        await other.end();
        await store.close();
        const cleanup = new pg.Client({ connectionString: server.url });
        await cleanup.connect();
        await cleanup.query(`drop schema "${schema}" cascade`);
        await cleanup.end();
      }
    });
  });
});
