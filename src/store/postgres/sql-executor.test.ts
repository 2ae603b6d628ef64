// A PostgreSQL restart while a transaction holds a pooled connection: the agent must not crash (pg
// emits 'error' on the checked-out client), the transaction fails, and the pool works again after.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startPostgres, type TestPostgres } from '../../../test/support/postgres.ts';
import { createPostgresExecutor, inTransaction } from './sql-executor.ts';

describe('inTransaction', () => {
  let server: TestPostgres;
  let pool: pg.Pool;
  before(async () => {
    server = await startPostgres({ own: true });
    pool = new pg.Pool({ connectionString: server.url, max: 2 });
    pool.on('error', () => {}); // idle clients, as the store does
  });
  after(async () => {
    await pool?.end();
    await server?.stop();
  });

  for (const [when, work] of [
    // The server ends the connection while a statement runs: the statement fails.
    ['while a statement runs', () => 'select pg_sleep(30)'],
    // ...or while the transaction waits on the agent between statements: pg then emits 'error' on
    // the checked-out client, which crashed the agent when nothing listened.
    ['between two statements', () => 'select 1'],
  ] as const) {
    it(`survives a server restart ${when}, and works again after it`, async () => {
      const uncaught: unknown[] = [];
      const onUncaught = (err: unknown) => uncaught.push(err);
      process.on('uncaughtException', onUncaught);
      let restarted!: () => void;
      const restartDone = new Promise<void>((resolve) => (restarted = resolve));
      try {
        // Its failure is kept at once: it comes while the restart is still being awaited.
        const inFlight = inTransaction(pool, 'begin', async (client) => {
          if (when === 'between two statements') await restartDone;
          return client.query(work());
        }).then(
          () => 'it went on',
          (err: unknown) => String(err),
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        await server.restart();
        restarted();
        assert.match(await inFlight, /terminat|shut ?down|Connection|queryable/i);
        // Give any late 'error' event a turn to surface.
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.deepEqual(uncaught, [], 'nothing escaped as an uncaught error');
        const again = await inTransaction(pool, 'begin', (client) =>
          client.query('select 1 as one'),
        );
        assert.equal(again.rows[0]?.one, 1, 'the pool works again after the restart');
      } finally {
        process.off('uncaughtException', onUncaught);
      }
    });
  }
});

describe('the PostgreSQL executor', () => {
  let server: TestPostgres;
  let pool: pg.Pool;
  /** One per pool, as in the store: it names the statements it prepares on the pool's connections. */
  let executor: ReturnType<typeof createPostgresExecutor>;
  const db = () => executor;
  const values = async (): Promise<number[]> =>
    (await pool.query<{ v: number }>('select v from pipelined order by v')).rows.map((r) => r.v);
  before(async () => {
    server = await startPostgres();
    // As the store makes them: statements issued together leave together.
    pool = new pg.Pool({ connectionString: server.url, max: 2, pipeline: true });
    pool.on('error', () => {});
    executor = createPostgresExecutor(pool, (_op, fn) => fn());
    await pool.query('create table pipelined (v integer primary key)');
  });
  after(async () => {
    await pool?.query('drop table if exists pipelined');
    await pool?.end();
    await server?.stop();
  });

  it('hands fn the rows of the statements sent with the begin, in the transaction', async () => {
    const got = await db().tx(
      'read',
      async (tx, first) => ({ first, now: tx.now, inTx: await tx.all('select 1 as one') }),
      {
        statements: [
          { sql: 'select $1::integer as v', params: [7] },
          { sql: "select current_setting('transaction_isolation') <> '' as inside" },
        ],
      },
    );
    assert.deepEqual(got.first, [[{ v: 7 }], [{ inside: true }]]);
    assert.ok(Math.abs(got.now - Date.now()) < 60_000, 'the database clock, read with the begin');
    assert.deepEqual(got.inTx, [{ one: 1 }]);
  });

  it('commits with the last statement: kept even if fn throws after it', async () => {
    await assert.rejects(
      db().tx('write', async (tx) => {
        const first = tx.all('insert into pipelined values (1)');
        const last = tx.last('insert into pipelined values (2) returning v');
        assert.deepEqual(await last, [{ v: 2 }]);
        await first;
        await assert.rejects(tx.all('select 1'), /after the transaction's last statement/);
        throw new Error('after the commit');
      }),
      /after the commit/,
    );
    assert.deepEqual(await values(), [1, 2]);
  });

  it('runs the statements of an autocommit together on one connection, each committed alone', async () => {
    const [a, b] = await db().autocommit('read', (q) =>
      Promise.all([
        q.all('insert into pipelined values (7) returning pg_backend_pid() as pid'),
        q.all('select pg_backend_pid() as pid, count(*)::integer as n from pipelined'),
      ]),
    );
    assert.equal(a?.[0]?.pid, b?.[0]?.pid);
    assert.equal(b?.[0]?.n, 3, 'the insert was in before the read');
    await pool.query('delete from pipelined where v = 7');
  });

  it('rolls everything back when a statement sent before the last one fails', async () => {
    await assert.rejects(
      db().tx('write', (tx) =>
        Promise.all([
          tx.all('insert into pipelined values (3)'),
          tx.all('insert into pipelined values (1)'), // a duplicate key
          tx.last('insert into pipelined values (4)'),
        ]),
      ),
      (err: unknown) => (err as { code?: string }).code === '23505',
    );
    assert.deepEqual(await values(), [1, 2]);
    // The connection is fine for the next transaction.
    assert.deepEqual(
      await db().tx('read', (tx) => tx.last('select count(*)::integer as n from pipelined')),
      [{ n: 2 }],
    );
  });
});
