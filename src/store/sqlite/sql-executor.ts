// The jobs tables' executor over the SQLite connection. One connection and one writer: transactions are
// `begin immediate` and queued behind each other, because an async transaction on a shared connection
// would otherwise interleave with the next one.
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { Clock } from '../../clock.ts';
import type { SqlExecutor, SqlRow, SqlTx, SqlTxStart } from '../jobs/sql.ts';

// bosun_now() is the store's clock (registered below), so tests that pin it pin this too.
// No other node to tell: announcing is a plain null.
const DIALECT = Object.freeze({
  skipLocked: '',
  forUpdate: '',
  shareSkipLocked: '',
  now: 'bosun_now()',
  announcing: () => 'null',
});

export function createSqliteExecutor(
  db: DatabaseSync,
  clock: Clock,
  guard: <T>(op: string, fn: () => Promise<T>) => Promise<T>,
): SqlExecutor {
  const statements = new Map<string, StatementSync>();
  let queue: Promise<unknown> = Promise.resolve();
  // Prepared once: exec() would parse them again for every transaction.
  const begin = db.prepare('begin immediate');
  const commit = db.prepare('commit');
  // A BigInt is an INTEGER to SQLite (a number would be a REAL).
  db.function('bosun_now', { directOnly: true }, () => BigInt(Math.round(clock.now())));

  function statement(sql: string): StatementSync {
    let stmt = statements.get(sql);
    if (stmt === undefined) {
      // $1 → ?1: SQLite numbers its parameters the same way with another sigil.
      stmt = db.prepare(sql.replace(/\$(\d+)/g, '?$1'));
      statements.set(sql, stmt);
    }
    return stmt;
  }

  const bind = (params: readonly unknown[] = []): SQLInputValue[] =>
    params.map(
      (p) => (p === undefined ? null : typeof p === 'boolean' ? Number(p) : p) as SQLInputValue,
    );

  async function transaction<T>(
    fn: (tx: SqlTx, first?: SqlRow[][]) => Promise<T>,
    start: SqlTxStart | undefined,
  ): Promise<T> {
    /** Set by `last`: committed with it, as PostgreSQL sends the commit with it. */
    let ended = false;
    const open = (): void => {
      if (ended) throw new Error("a statement after the transaction's last statement");
    };
    const all = (sql: string, params?: readonly unknown[]): SqlRow[] => {
      open();
      return statement(sql).all(...bind(params)) as SqlRow[];
    };
    const tx: SqlTx = {
      now: clock.now(),
      all: async (sql, params) => all(sql, params),
      run: async (sql, params) => {
        open();
        return Number(statement(sql).run(...bind(params)).changes);
      },
      announce: () => open(), // no other node to tell
      last: async (sql, params) => {
        const rows = all(sql, params);
        ended = true;
        commit.run();
        return rows;
      },
    };
    begin.run();
    try {
      const result = await fn(
        tx,
        (start?.statements ?? []).map((st) => all(st.sql, st.params)),
      );
      if (!ended) commit.run();
      return result;
    } catch (err) {
      if (db.isTransaction) db.exec('rollback');
      throw err;
    }
  }

  /** Runs `work` after every transaction queued before it. */
  function queued<T>(op: string, work: () => Promise<T>): Promise<T> {
    const next = queue.then(() => guard(op, work));
    queue = next.catch(() => undefined);
    return next;
  }

  return {
    dialect: DIALECT,
    tx: (op, fn, start) => queued(op, () => transaction(fn, start)),
    autocommit: (op, fn) =>
      queued(op, () =>
        fn({ all: async (sql, params) => statement(sql).all(...bind(params)) as SqlRow[] }),
      ),
  };
}
