// The jobs tables' executor over the pg pool: one pooled connection per transaction, the database
// clock read once at its start so every row written in it carries the same time.
import type pg from 'pg';
import type { SqlExecutor, SqlRow, SqlTx } from '../jobs/sql.ts';
import { SQL } from './queries.ts';

// NO KEY UPDATE: bosun never changes a key it has locked, and the weaker lock does not conflict with
// the KEY SHARE lock a foreign key takes (a run inserted for a locked job), which would deadlock
// materialise against a job edit, or a claim against a run's retry.
const DIALECT = Object.freeze({
  skipLocked: 'for no key update skip locked',
  forUpdate: 'for no key update',
});

export function createPostgresExecutor(
  pool: pg.Pool,
  guard: <T>(op: string, fn: () => Promise<T>) => Promise<T>,
): SqlExecutor {
  async function transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      // One round trip for both: pg answers a multi-statement text query with one result each.
      const results = (await client.query(`begin; ${SQL.now}`)) as unknown as pg.QueryResult[];
      const tx: SqlTx = {
        now: Number((results[1]?.rows[0] as { ms?: string } | undefined)?.ms),
        all: async (sql, params) => (await client.query<SqlRow>(sql, params as unknown[])).rows,
        run: async (sql, params) => (await client.query(sql, params as unknown[])).rowCount ?? 0,
      };
      const result = await fn(tx);
      await client.query('commit');
      return result;
    } catch (err) {
      // A connection that cannot roll back is discarded rather than returned mid-transaction.
      await client.query('rollback').catch((rollbackErr: unknown) => {
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }

  return { dialect: DIALECT, tx: (op, fn) => guard(op, () => transaction(fn)) };
}
