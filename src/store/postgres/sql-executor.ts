// The jobs tables' executor over the pg pool: one pooled connection per transaction, the database
// clock read once at its start so every row written in it carries the same time. The pool's
// connections are pipelined: statements issued together (a begin and a first read, the last writes
// and the commit) leave in one write and cost one round trip, the wait that PostgreSQL adds to
// SQLite's calls.
import type pg from 'pg';
import type { StoreChangeKind } from '../store.ts';
import type { SqlExecutor, SqlRow, SqlTx, SqlTxStart } from '../jobs/sql.ts';
import { SQL } from './queries.ts';

// NO KEY UPDATE: bosun never changes a key it has locked, and the weaker lock does not conflict with
// the KEY SHARE lock a foreign key takes (a run inserted for a locked job), which would deadlock
// materialise against a job edit, or a claim against a run's retry.
const DIALECT = Object.freeze({
  skipLocked: 'for no key update skip locked',
  forUpdate: 'for no key update',
  // SHARE conflicts with the NO KEY UPDATE of a job's edit, deletion or locked claim, not with
  // another SHARE nor with the KEY SHARE of a run inserted for the job.
  shareSkipLocked: 'for share skip locked',
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

  const transaction = <T>(
    fn: (tx: SqlTx, first?: SqlRow[][]) => Promise<T>,
    start: SqlTxStart | undefined,
  ): Promise<T> => {
    const changes = new Set<StoreChangeKind>();
    // A NOTIFY is delivered when its transaction commits, and not at all if it rolls back.
    const commitText = (): string =>
      changes.size > 0 && announce !== undefined
        ? `${announce.statement(changes)}; commit`
        : 'commit';
    return inTransaction(
      pool,
      // One round trip for both: pg answers a multi-statement text query with one result each.
      `begin; ${SQL.now}`,
      (client, begun, end) => {
        let ended = false;
        const open = (what: string): void => {
          if (ended) throw new Error(`${what} after the transaction's last statement`);
        };
        return fn(
          {
            now: Number((begun[1]?.rows[0] as { ms?: string } | undefined)?.ms),
            all: async (sql, params) => {
              open('a statement');
              return (await client.query<SqlRow>(prepared(sql, params))).rows;
            },
            run: async (sql, params) => {
              open('a statement');
              return (await client.query(prepared(sql, params))).rowCount ?? 0;
            },
            announce: (change) => {
              open('an announcement');
              changes.add(change);
            },
            last: (sql, params) => {
              open('a statement');
              ended = true;
              // Queued on the connection before the commit, so both leave in one write.
              const rows = client.query<SqlRow>(prepared(sql, params));
              end(commitText());
              return rows.then((result) => result.rows);
            },
          },
          begun.slice(2).map((result) => result.rows as SqlRow[]),
        );
      },
      commitText,
      (start?.statements ?? []).map((st) => prepared(st.sql, st.params)),
    );
  };

  return {
    dialect: {
      ...DIALECT,
      announcing: (change) => announce?.expression(new Set([change])) ?? 'null',
    },
    tx: (op, fn, start) => guard(op, () => transaction(fn, start)),
    autocommit: (op, fn) =>
      guard(op, () =>
        // One connection for fn's statements, so those issued together leave together.
        onOneConnection(pool, (client) =>
          fn({
            all: async (sql, params) => (await client.query<SqlRow>(prepared(sql, params))).rows,
          }),
        ),
      ),
  };
}

/**
 * Runs `fn` in a transaction on one pooled connection, started by `begin` (whose results it gets),
 * committed when `fn` resolves and rolled back when it throws. pg-pool takes its own 'error'
 * listener off a client while it is checked out, so a connection lost meanwhile (a server restart,
 * a cut network) would crash the agent with an unhandled 'error' event: the client has one here for
 * as long as it is out, and a broken connection is discarded rather than returned to the pool.
 * `commit` gives the text that commits, once `fn` has resolved; `fn` may instead send it itself
 * with `end` (after its last statement, in the same write), and the transaction is then over
 * whatever fn does next. `first` is sent with `begin` in one write, their results after the
 * begin's.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  begin: string,
  fn: (
    client: pg.PoolClient,
    begun: pg.QueryResult[],
    end: (commitText: string) => void,
  ) => Promise<T>,
  commit: () => string = () => 'commit',
  first: readonly pg.QueryConfig[] = [],
): Promise<T> {
  return onOneConnection(pool, async (client, connection) => {
    /** The commit fn sent with its last statement, if it did. */
    let ending: Promise<unknown> | undefined;
    const end = (text: string): void => {
      ending = client.query(text);
      // Awaited below; a failure there is the transaction's (its last statement's is fn's).
      ending.catch(() => {});
    };
    try {
      // Pipelined (the pool's clients are): all leave before the first answer comes back.
      const sent = Promise.all([
        client.query(begin) as unknown as Promise<pg.QueryResult | pg.QueryResult[]>,
        ...first.map((q) => client.query(q)),
      ]);
      const [started, ...firstResults] = await sent;
      const begun = [...(Array.isArray(started) ? started : [started as pg.QueryResult])];
      const result = await fn(client, [...begun, ...firstResults], end);
      await (ending ?? client.query(commit()));
      return result;
    } catch (err) {
      // A connection the server ended (a restart's 57P01) would queue the rollback forever.
      if (isFatal(err)) connection.breaks(err);
      if (ending !== undefined) {
        // The commit is on its way (a failed statement before it turns it into a rollback).
        await ending.catch((endErr: unknown) => connection.breaks(endErr));
      } else if (connection.broken() === undefined) {
        // The original error matters more than a failed rollback.
        await client
          .query('rollback')
          .catch((rollbackErr: unknown) => connection.breaks(rollbackErr));
      }
      throw err;
    }
  });
}

/** What a connection's user knows of it: whether it broke, and how to say it did. */
interface ConnectionState {
  broken(): Error | undefined;
  breaks(err: unknown): void;
}

/**
 * Runs `fn` with one pooled connection, kept from crashing the agent (an 'error' listener while it
 * is out: pg-pool removes its own) and discarded, not returned to the pool, if it broke.
 */
async function onOneConnection<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient, connection: ConnectionState) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const breaks = (err: unknown): void => {
    broken ??= err instanceof Error ? err : new Error(String(err));
  };
  const onError = (err: Error): void => {
    broken = err;
  };
  const onEnd = (): void => breaks(new Error('the connection ended'));
  client.on('error', onError).on('end', onEnd);
  try {
    return await fn(client, { broken: () => broken, breaks });
  } catch (err) {
    if (isFatal(err)) breaks(err);
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
