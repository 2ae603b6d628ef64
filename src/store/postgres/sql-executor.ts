// The jobs tables' executor over the pg pool: one pooled connection per transaction, the database
// clock read once at its start so every row written in it carries the same time.
import type pg from 'pg';
import type { StoreChangeKind } from '../store.ts';
import type { SqlExecutor, SqlRow, SqlTx } from '../jobs/sql.ts';
import { SQL } from './queries.ts';

// NO KEY UPDATE: bosun never changes a key it has locked, and the weaker lock does not conflict with
// the KEY SHARE lock a foreign key takes (a run inserted for a locked job), which would deadlock
// materialise against a job edit, or a claim against a run's retry.
const DIALECT = Object.freeze({
  skipLocked: 'for no key update skip locked',
  forUpdate: 'for no key update',
  // When the statement arrived: one time for every row it writes (clock_timestamp() moves per row).
  now: 'floor(extract(epoch from statement_timestamp()) * 1000)::bigint',
});

/**
 * Statements kept prepared on each connection, by their text: parsed and planned once per
 * connection instead of at every use, which costs a loopback statement 2-4× its run (docs/
 * performance.md). Bounded, since a few statements are built for their argument count (an `in`
 * list); past the bound a statement is parsed each time, as before.
 */
const MAX_PREPARED = 200;

/** How changes are told to other nodes (notifications.ts): as a statement and as an expression. */
export interface Announcer {
  /** Sent in the round trip of a transaction's commit. */
  statement(changes: ReadonlySet<StoreChangeKind>): string;
  /** Evaluated in a statement that commits by itself (SqlDialect.announcing). */
  expression(changes: ReadonlySet<StoreChangeKind>): string;
}

export function createPostgresExecutor(
  pool: pg.Pool,
  guard: <T>(op: string, fn: () => Promise<T>) => Promise<T>,
  announce?: Announcer,
): SqlExecutor {
  const names = new Map<string, string>();
  /** A query with a name pg prepares it under once per connection (its text must never change). */
  const prepared = (text: string, params: readonly unknown[] | undefined): pg.QueryConfig => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_PREPARED) {
      name = `bosun_${names.size + 1}`;
      names.set(text, name);
    }
    const values = (params ?? []) as unknown[];
    return name === undefined ? { text, values } : { name, text, values };
  };

  const transaction = <T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> => {
    const changes = new Set<StoreChangeKind>();
    return inTransaction(
      pool,
      // One round trip for both: pg answers a multi-statement text query with one result each.
      `begin; ${SQL.now}`,
      (client, begun) =>
        fn({
          now: Number((begun[1]?.rows[0] as { ms?: string } | undefined)?.ms),
          all: async (sql, params) => (await client.query<SqlRow>(prepared(sql, params))).rows,
          run: async (sql, params) => (await client.query(prepared(sql, params))).rowCount ?? 0,
          announce: (change) => void changes.add(change),
        }),
      // A NOTIFY is delivered when its transaction commits, and not at all if it rolls back.
      () =>
        changes.size > 0 && announce !== undefined
          ? `${announce.statement(changes)}; commit`
          : 'commit',
    );
  };

  return {
    dialect: {
      ...DIALECT,
      announcing: (change) => announce?.expression(new Set([change])) ?? 'null',
    },
    tx: (op, fn) => guard(op, () => transaction(fn)),
    autocommit: (op, fn) =>
      guard(op, () =>
        fn({
          // pool.query keeps an 'error' listener on the client while it is out.
          all: async (sql, params) => (await pool.query<SqlRow>(prepared(sql, params))).rows,
        }),
      ),
  };
}

/**
 * Runs `fn` in a transaction on one pooled connection, started by `begin` (whose results it gets),
 * committed when `fn` resolves and rolled back when it throws. pg-pool takes its own 'error'
 * listener off a client while it is checked out, so a connection lost meanwhile (a server restart,
 * a cut network) would crash the agent with an unhandled 'error' event: the client has one here for
 * as long as it is out, and a broken connection is discarded rather than returned to the pool.
 * `commit` gives the text that commits, once `fn` has resolved.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  begin: string,
  fn: (client: pg.PoolClient, begun: pg.QueryResult[]) => Promise<T>,
  commit: () => string = () => 'commit',
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
    await client.query(commit());
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
