// A PostgreSQL restart while a transaction holds a pooled connection: the agent must not crash (pg
// emits 'error' on the checked-out client), the transaction fails, and the pool works again after.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startPostgres, type TestPostgres } from '../../../test/support/postgres.ts';
import { inTransaction } from './sql-executor.ts';

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
