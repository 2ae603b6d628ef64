// The jobs tables are written once, in SQL both backends accept, and run through this small executor.
// Each backend supplies one (sqlite/sql-executor.ts, postgres/sql-executor.ts) and declares its few
// differences here, as data, instead of `if (kind === 'sqlite')` in the queries.

/** A row as the driver returns it; bigint columns may be strings (pg), blobs Uint8Array or Buffer. */
export type SqlRow = Record<string, unknown>;

/** Statements inside one transaction. Parameters are written `$1, $2…` in every query. */
export interface SqlTx {
  all(sql: string, params?: readonly unknown[]): Promise<SqlRow[]>;
  /** Runs a statement and returns how many rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** The store's clock, ms: the database's in a cluster, the agent's for SQLite. Fixed per transaction. */
  readonly now: number;
}

export interface SqlDialect {
  /** Appended to a SELECT that takes rows others must not take too (a row lock that skips rows
   * others hold), or '' where there is one writer. */
  readonly skipLocked: string;
  /** Appended to a SELECT that locks its rows for the transaction, or '' (one writer). */
  readonly forUpdate: string;
}

export interface SqlExecutor {
  readonly dialect: SqlDialect;
  /** Runs fn in one transaction: committed if it resolves, rolled back if it throws. */
  tx<T>(op: string, fn: (tx: SqlTx) => Promise<T>): Promise<T>;
}

/** The first row, or undefined. */
export async function one(
  tx: SqlTx,
  sql: string,
  params?: readonly unknown[],
): Promise<SqlRow | undefined> {
  return (await tx.all(sql, params))[0];
}
