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
  const transaction = <T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> =>
    // One round trip for both: pg answers a multi-statement text query with one result each.
    inTransaction(pool, `begin; ${SQL.now}`, (client, begun) =>
      fn({
        now: Number((begun[1]?.rows[0] as { ms?: string } | undefined)?.ms),
        all: async (sql, params) => (await client.query<SqlRow>(sql, params as unknown[])).rows,
        run: async (sql, params) => (await client.query(sql, params as unknown[])).rowCount ?? 0,
      }),
    );

  return { dialect: DIALECT, tx: (op, fn) => guard(op, () => transaction(fn)) };
}

/**
 * Runs `fn` in a transaction on one pooled connection, started by `begin` (whose results it gets),
 * committed when `fn` resolves and rolled back when it throws. pg-pool takes its own 'error'
 * listener off a client while it is checked out, so a connection lost meanwhile (a server restart,
 * a cut network) would crash the agent with an unhandled 'error' event: the client has one here for
 * as long as it is out, and a broken connection is discarded rather than returned to the pool.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  begin: string,
  fn: (client: pg.PoolClient, begun: pg.QueryResult[]) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error): void => {
    broken = err;
  };
  const onEnd = (): void => {
    broken ??= new Error('the connection ended');
  };
  client.on('error', onError).on('end', onEnd);
  try {
    const started = (await client.query(begin)) as unknown as pg.QueryResult | pg.QueryResult[];
    const result = await fn(client, Array.isArray(started) ? started : [started]);
    await client.query('commit');
    return result;
  } catch (err) {
    // A connection the server ended (a restart's 57P01) would queue the rollback forever.
    if (isFatal(err)) broken ??= err as Error;
    // The original error matters more than a failed rollback.
    if (broken === undefined) {
      await client.query('rollback').catch((rollbackErr: unknown) => {
        broken ??= rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      });
    }
    throw err;
  } finally {
    client.off('error', onError).off('end', onEnd);
    client.release(broken);
  }
}

/** An error after which the connection is gone: the server ended it, or it broke. */
function isFatal(err: unknown): boolean {
  const e = err as { severity?: unknown; message?: unknown };
  return (
    e.severity === 'FATAL' ||
    e.severity === 'PANIC' ||
    /Connection terminated|not queryable|timeout/i.test(String(e.message))
  );
}
