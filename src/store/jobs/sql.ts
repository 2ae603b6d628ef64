// The jobs tables are written once, in SQL both backends accept, and run through this small executor.
// Each backend supplies one (sqlite/sql-executor.ts, postgres/sql-executor.ts) and declares its few
// differences here, as data, instead of `if (kind === 'sqlite')` in the queries.
import type { StoreChangeKind } from '../store.ts';

/** A row as the driver returns it; bigint columns may be strings (pg), blobs Uint8Array or Buffer. */
export type SqlRow = Record<string, unknown>;

/** Statements and their rows. Parameters are written `$1, $2…` in every query. */
export interface SqlStatements {
  all(sql: string, params?: readonly unknown[]): Promise<SqlRow[]>;
}

/** Statements inside one transaction. */
export interface SqlTx extends SqlStatements {
  /** Runs a statement and returns how many rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** The store's clock, ms: the database's in a cluster, the agent's for SQLite. Fixed per transaction. */
  readonly now: number;
  /**
   * Other nodes should hear of this change once the transaction commits (Store.watch). Called any
   * number of times, it makes one notification, sent with the commit; a rollback sends none. A
   * store that one node owns alone has no one to tell.
   */
  announce(change: StoreChangeKind): void;
  /**
   * The transaction's last statement, sent with its commit: on PostgreSQL one round trip for both,
   * and for any statement issued before it whose answer was not awaited (they travel together).
   * Nothing may be issued or announced after it. Once it is sent the transaction commits, unless it
   * or an earlier statement fails (then it rolls back), even if fn throws afterwards.
   */
  last(sql: string, params?: readonly unknown[]): Promise<SqlRow[]>;
}

/** A statement and its parameters. */
export interface SqlStatement {
  sql: string;
  params?: readonly unknown[];
}

/** How a transaction starts (SqlExecutor.tx): statements sent with its begin, in one round trip. */
export interface SqlTxStart {
  /** Sent with the begin, before fn runs (so they cannot use `tx.now`); fn gets their rows. */
  statements: readonly SqlStatement[];
}

export interface SqlDialect {
  /** Appended to a SELECT that takes rows others must not take too (a row lock that skips rows
   * others hold), or '' where there is one writer. */
  readonly skipLocked: string;
  /** Appended to a SELECT that locks its rows for the transaction, or '' (one writer). */
  readonly forUpdate: string;
  /**
   * Appended to a sub-SELECT that keeps its rows from changing until the commit without waiting:
   * a row another transaction has locked to change is left out. '' where there is one writer.
   */
  readonly shareSkipLocked: string;
  /** The store's clock in ms, as an SQL expression: for statements outside a transaction. */
  readonly now: string;
  /**
   * An SQL expression that announces a change (SqlTx.announce) when the statement evaluating it
   * commits: for an autocommit write, in its RETURNING list. 'null' where there is no one to tell.
   */
  announcing(change: StoreChangeKind): string;
}

export interface SqlExecutor {
  readonly dialect: SqlDialect;
  /**
   * Runs fn in one transaction: committed if it resolves, rolled back if it throws (see SqlTx.last).
   * Statements fn issues without awaiting each one's answer are sent together; `start` sends some
   * with the begin, and fn gets their rows, one array per statement.
   */
  tx<T>(
    op: string,
    fn: (tx: SqlTx, first?: SqlRow[][]) => Promise<T>,
    start?: SqlTxStart,
  ): Promise<T>;
  /**
   * Runs fn's statements each on its own, committed as it runs, with no `begin` and `commit`
   * around them: on PostgreSQL on one connection, those issued together in one round trip. For reads, which a transaction would not
   * steady (PostgreSQL reads at READ COMMITTED; SQLite has one connection, and nothing else runs
   * until fn is done), and for a write that is one statement (RETURNING says what it changed;
   * `dialect.now` in it is the store's clock). Nothing is announced unless a statement evaluates
   * `dialect.announcing`.
   */
  autocommit<T>(op: string, fn: (q: SqlStatements) => Promise<T>): Promise<T>;
}

/** The first row, or undefined. */
export async function one(
  tx: SqlStatements,
  sql: string,
  params?: readonly unknown[],
): Promise<SqlRow | undefined> {
  return (await tx.all(sql, params))[0];
}
