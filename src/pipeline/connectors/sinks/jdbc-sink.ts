// The Jdbc sink (specs/seatunnel.md §5) for SQLite and PostgreSQL: rows go through `query` (an INSERT
// with `?` placeholders, bound in column order) or, with `generate_sink_sql`, a generated INSERT into
// `table` (an upsert on `primary_keys` when `enable_upsert`), DELETE rows deleting by primary key.
//
// Each checkpoint's rows are written in one transaction, opened at the first write and committed by
// commit(); abort() rolls it back, so a canceled or failed run leaves no rows of its last checkpoint.
// The subtasks of one sink share one connection and so one transaction: two open transactions on one
// table would wait for each other (SQLite's file lock, PostgreSQL's row locks) until the checkpoint,
// which waits for both. A crash between a checkpoint being saved and its commit loses that checkpoint's
// rows: the database rolls the transaction back, and a restored run has nothing left to commit.
import type { PluginConfig } from '../../config/pipeline-config.ts';
import type { Field } from '../../data-type.ts';
import { optionReader, type ConnectorContext, type Row, type SinkFactory } from '../connector.ts';
import { createDriver } from '../jdbc/create-driver.ts';
import {
  numberPlaceholders,
  quoteIdent,
  quoteTablePath,
  type JdbcConnection,
  type JdbcDriver,
} from '../jdbc/driver.ts';
import { readJdbcTarget } from '../jdbc/jdbc-url.ts';
import { configError, isConfigError } from '../../config-error.ts';

const PLUGIN = 'Jdbc';

/** One connection and its open transaction, shared by the subtasks of a sink in one run. */
interface Session {
  connection: Promise<JdbcConnection> | undefined;
  inTransaction: boolean;
  /** Rows written in the open transaction. */
  rows: number;
  users: number;
  /** The tail of the operations queue: one statement at a time on the shared connection. */
  tail: Promise<unknown>;
  readonly warned: Set<string>;
}

const sessions = new WeakMap<PluginConfig, Map<string, Session>>();

/** What prepareCommit() hands the engine, stored with the checkpoint. */
interface CommitMarker {
  readonly checkpointId: number;
  readonly rows: number;
}

interface Plan {
  /** Writes a run of INSERT/UPDATE_AFTER rows. */
  upsert(conn: JdbcConnection, rows: readonly Row[]): Promise<void>;
  /** Deletes a run of DELETE rows, or undefined when there is no key to delete by. */
  remove: ((conn: JdbcConnection, rows: readonly Row[]) => Promise<void>) | undefined;
}

export const jdbcSink: SinkFactory = {
  role: 'sink',
  name: PLUGIN,
  create(ctx, fields) {
    const options = optionReader(ctx);
    const driver = createDriver(readJdbcTarget(options, PLUGIN));
    const batchSize = options.int('batch_size', 1000, 1);
    const plan = options.boolean('generate_sink_sql', false)
      ? generatedPlan(options, driver, fields, batchSize)
      : queryPlan(options, driver, fields);
    const session = joinSession(ctx);
    const warnOnce = (key: string, line: string) => {
      if (session.warned.has(key)) return;
      session.warned.add(key);
      ctx.log(`${PLUGIN} sink: ${line}`);
    };
    const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
      const run = session.tail.then(fn);
      session.tail = run.catch(() => {});
      return run;
    };
    const connection = (): Promise<JdbcConnection> => {
      session.connection ??= driver.connect({ readOnly: false });
      return session.connection;
    };
    let closed = false;

    return {
      write(rows) {
        return exclusive(async () => {
          const conn = await connection();
          let run: Row[] = [];
          let runKind: 'upsert' | 'delete' = 'upsert';
          const flush = async () => {
            if (run.length === 0) return;
            if (!session.inTransaction) {
              await conn.begin();
              session.inTransaction = true;
            }
            if (runKind === 'upsert') await plan.upsert(conn, run);
            else await plan.remove?.(conn, run);
            session.rows += run.length;
            run = [];
          };
          for (const row of rows) {
            if (row.kind === 'UPDATE_BEFORE') continue;
            let kind: 'upsert' | 'delete' = 'upsert';
            if (row.kind === 'DELETE') {
              if (plan.remove === undefined) {
                warnOnce(
                  'delete',
                  'DELETE rows are skipped: set generate_sink_sql = true with table and primary_keys to apply them',
                );
                continue;
              }
              kind = 'delete';
            }
            if (kind !== runKind) {
              await flush();
              runKind = kind;
            }
            run.push(row);
          }
          await flush();
        });
      },

      prepareCommit(checkpointId) {
        return exclusive(async (): Promise<CommitMarker> => ({ checkpointId, rows: session.rows }));
      },

      commit() {
        // The first subtask's commit commits the shared transaction; the others find it done. So does
        // a restored run replaying a commit: its transaction ended with the run before.
        return exclusive(async () => {
          if (!session.inTransaction) return;
          session.inTransaction = false;
          session.rows = 0;
          await (await connection()).commit();
        });
      },

      abort() {
        return exclusive(async () => {
          if (!session.inTransaction) return;
          session.inTransaction = false;
          session.rows = 0;
          await (await connection()).rollback();
        });
      },

      close() {
        if (closed) return Promise.resolve();
        closed = true;
        return exclusive(async () => {
          session.users -= 1;
          if (session.users > 0) return;
          leaveSession(ctx, session);
          const pending = session.connection;
          session.connection = undefined;
          if (pending === undefined) return;
          const conn = await pending.catch(() => undefined);
          if (conn === undefined) return;
          // What no checkpoint committed is dropped, as abort() would.
          if (session.inTransaction) await conn.rollback().catch(() => {});
          session.inTransaction = false;
          await conn.close();
        });
      },
    };
  },
};

function joinSession(ctx: ConnectorContext): Session {
  let byJob = sessions.get(ctx.plugin);
  if (byJob === undefined) {
    byJob = new Map();
    sessions.set(ctx.plugin, byJob);
  }
  let session = byJob.get(ctx.jobId);
  if (session === undefined) {
    session = {
      connection: undefined,
      inTransaction: false,
      rows: 0,
      users: 0,
      tail: Promise.resolve(),
      warned: new Set(),
    };
    byJob.set(ctx.jobId, session);
  }
  session.users += 1;
  return session;
}

function leaveSession(ctx: ConnectorContext, session: Session): void {
  const byJob = sessions.get(ctx.plugin);
  if (byJob?.get(ctx.jobId) === session) byJob.delete(ctx.jobId);
}

/** `query`: the user's statement once per row, values bound in column order. */
function queryPlan(
  options: ReturnType<typeof optionReader>,
  driver: JdbcDriver,
  fields: readonly Field[],
): Plan {
  if (!options.has('query')) {
    throw configError(
      `${PLUGIN}: set 'query' (an INSERT with ? placeholders, e.g. insert into t (id, name) values (?, ?)) or generate_sink_sql = true with 'table'`,
    );
  }
  const { text, count } = numberPlaceholders(options.string('query'), driver.placeholder);
  if (count > fields.length) {
    throw configError(
      `${PLUGIN}: the query has ${count} placeholders but the rows have ${fields.length} columns (${fields.map((f) => f.name).join(', ')})`,
    );
  }
  const bind = rowValues(driver, fields);
  return {
    async upsert(conn, rows) {
      for (const row of rows) await conn.execute(text, bind(row).slice(0, count));
    },
    remove: undefined,
  };
}

/** `generate_sink_sql`: multi-row INSERTs (upserts with primary keys) and DELETEs by primary key. */
function generatedPlan(
  options: ReturnType<typeof optionReader>,
  driver: JdbcDriver,
  fields: readonly Field[],
  batchSize: number,
): Plan {
  let table: string;
  try {
    table = quoteTablePath(options.string('table'));
  } catch (err) {
    if (isConfigError(err)) throw err;
    throw configError(`${PLUGIN}: table ${(err as Error).message}`);
  }
  const keys = primaryKeys(options.raw('primary_keys'), fields);
  const upsert = options.boolean('enable_upsert', true) && keys.length > 0;
  const columns = fields.map((f) => quoteIdent(f.name));
  const keyIndexes = keys.map((k) => fields.findIndex((f) => f.name === k));
  const rest = columns.filter((_, i) => !keyIndexes.includes(i));
  const onConflict = !upsert
    ? ''
    : ` ON CONFLICT (${keys.map(quoteIdent).join(', ')}) ` +
      (rest.length === 0
        ? 'DO NOTHING'
        : `DO UPDATE SET ${rest.map((c) => `${c} = excluded.${c}`).join(', ')}`);
  const perStatement = Math.max(
    1,
    Math.min(batchSize, Math.floor(driver.maxParams / Math.max(1, columns.length))),
  );
  const insertSql = (count: number): string => {
    let n = 0;
    const tuples: string[] = [];
    for (let r = 0; r < count; r++) {
      tuples.push(`(${columns.map(() => driver.placeholder(n++)).join(', ')})`);
    }
    return `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}${onConflict}`;
  };
  const deleteSql =
    keys.length === 0
      ? undefined
      : `DELETE FROM ${table} WHERE ${keys.map((k, i) => `${quoteIdent(k)} = ${driver.placeholder(i)}`).join(' AND ')}`;
  const keyOf = (row: Row) => JSON.stringify(keyIndexes.map((i) => row.values[i]));

  const bind = rowValues(driver, fields);
  const insertChunk = (conn: JdbcConnection, rows: readonly Row[]) =>
    conn.execute(insertSql(rows.length), rows.flatMap(bind));

  return {
    async upsert(conn, rows) {
      let chunk: Row[] = [];
      const seen = new Set<string>();
      for (const row of rows) {
        // PostgreSQL refuses to upsert one key twice in a statement: the repeat starts a new one.
        const key = upsert ? keyOf(row) : '';
        if (chunk.length >= perStatement || (upsert && seen.has(key))) {
          await insertChunk(conn, chunk);
          chunk = [];
          seen.clear();
        }
        chunk.push(row);
        if (upsert) seen.add(key);
      }
      if (chunk.length > 0) await insertChunk(conn, chunk);
    },
    remove:
      deleteSql === undefined
        ? undefined
        : async (conn, rows) => {
            for (const row of rows) {
              await conn.execute(
                deleteSql,
                keyIndexes.map((i) => row.values[i]),
              );
            }
          },
  };
}

/** A row's values as bound: SQLite's own timestamps put a space where ISO 8601 has a T. */
function rowValues(driver: JdbcDriver, fields: readonly Field[]): (row: Row) => unknown[] {
  const spaced = fields.map((f) => driver.dialect === 'sqlite' && f.type.kind === 'timestamp');
  if (!spaced.includes(true)) return (row) => row.values.slice(0, fields.length);
  return (row) =>
    fields.map((_, i) => {
      const v = row.values[i];
      return spaced[i] && typeof v === 'string' && v[10] === 'T'
        ? `${v.slice(0, 10)} ${v.slice(11)}`
        : v;
    });
}

function primaryKeys(value: unknown, fields: readonly Field[]): string[] {
  if (value === undefined || value === null || value === '') return [];
  const names =
    typeof value === 'string'
      ? value.split(',').map((s) => s.trim())
      : Array.isArray(value)
        ? value.map(String)
        : undefined;
  if (names === undefined) {
    throw configError(`${PLUGIN}: option 'primary_keys' must be a list of column names`);
  }
  for (const name of names) {
    if (!fields.some((f) => f.name === name)) {
      throw configError(
        `${PLUGIN}: primary_keys names "${name}", which is not a column; the columns are ${fields.map((f) => f.name).join(', ')}`,
      );
    }
  }
  return names;
}
