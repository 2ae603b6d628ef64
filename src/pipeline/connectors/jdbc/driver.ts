// The small port the Jdbc source and sink use (one implementation per database: sqlite-driver.ts,
// postgres-driver.ts) and the SQL text helpers they share.
import { NUMERIC_KINDS, type DataType } from '../../data-type.ts';
import type { JdbcTarget } from './jdbc-url.ts';

export interface ColumnInfo {
  readonly name: string;
  readonly type: DataType;
}

export interface DescribeRequest {
  /** The query whose result columns are the schema. */
  readonly sql: string;
  /** A table (already quoted) whose primary key columns are wanted. */
  readonly table?: string;
  /** A numeric result column whose min and max over `sql` are wanted (skipped when it is not one). */
  readonly boundsOf?: string;
}

export interface Description {
  readonly columns: ColumnInfo[];
  /** The table's primary key columns, in key order; empty when unknown or none. */
  readonly primaryKey: string[];
  readonly bounds?: { readonly min: number | null; readonly max: number | null };
}

export interface JdbcCursor {
  /** Up to the fetch size of rows, values converted to the columns' types; null at the end. */
  next(): Promise<unknown[][] | null>;
  close(): Promise<void>;
}

export interface JdbcConnection {
  /** Reads `sql` in batches of `fetchSize` rows, the first `skip` rows passed over. */
  read(
    sql: string,
    types: readonly DataType[],
    fetchSize: number,
    skip: number,
  ): Promise<JdbcCursor>;
  execute(sql: string, params: readonly unknown[]): Promise<void>;
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(): Promise<void>;
}

export interface JdbcDriver {
  readonly dialect: JdbcTarget['dialect'];
  /** The database for messages, without any password. */
  readonly label: string;
  /** The result columns of a query, and what else the source needs before it starts. */
  describe(request: DescribeRequest): Description | Promise<Description>;
  connect(options: { readOnly: boolean }): Promise<JdbcConnection>;
  /** The text of the i-th (from 0) bound parameter. */
  placeholder(index: number): string;
  /** How many parameters one statement may bind. */
  readonly maxParams: number;
}

/** The quoted column whose bounds a describe should query, if it is a numeric result column. */
export function boundsColumn(
  columns: readonly ColumnInfo[],
  name: string | undefined,
): string | undefined {
  const column = columns.find((c) => c.name === name);
  return column !== undefined && NUMERIC_KINDS.has(column.type.kind)
    ? quoteIdent(column.name)
    : undefined;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `schema.table` → `"schema"."table"`; a part already in double quotes is kept as written. */
export function quoteTablePath(path: string): string {
  const parts = path.match(/"(?:[^"]|"")*"|[^.]+/g) ?? [];
  if (parts.length === 0 || parts.join('.') !== path) {
    throw new Error(`"${path}" is not a table name (write table or schema.table)`);
  }
  return parts.map((p) => (p.startsWith('"') ? p : quoteIdent(p))).join('.');
}

/** Rewrites JDBC's `?` placeholders in the driver's spelling, leaving quoted text alone. */
export function numberPlaceholders(
  sql: string,
  placeholder: (index: number) => string,
): { text: string; count: number } {
  let out = '';
  let count = 0;
  let quote: string | undefined;
  for (const c of sql) {
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      out += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      out += c;
    } else if (c === '?') {
      out += placeholder(count++);
    } else {
      out += c;
    }
  }
  return { text: out, count };
}

/** An error from the database, as a message naming the plugin and the database (no password). */
export function jdbcError(label: string, err: unknown, doing?: string): Error {
  return new Error(`Jdbc: ${label}${doing ? `: ${doing}` : ''}: ${errorText(err)}`, {
    cause: err,
  });
}

function errorText(err: unknown): string {
  if (err instanceof AggregateError && err.message === '') {
    // net reports each address it tried (::1 and 127.0.0.1 for localhost) with an empty message.
    return err.errors.map(errorText).join('; ') || 'connection failed';
  }
  if (err instanceof Error) {
    return err.message || (err as NodeJS.ErrnoException).code || err.name;
  }
  return String(err);
}
