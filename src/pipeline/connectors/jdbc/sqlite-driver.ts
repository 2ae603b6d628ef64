// The Jdbc driver for SQLite files, on node:sqlite (synchronous, so describe() needs no tricks). A
// read keeps one statement stepping through the result between batches; a reader holds a read lock
// while it does, so a sink writing into the same file needs it in WAL mode (journal_mode=wal).
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { DataType } from '../../data-type.ts';
import {
  boundsColumn,
  jdbcError,
  type Description,
  type DescribeRequest,
  type JdbcConnection,
  type JdbcDriver,
} from './driver.ts';
import { fromSqlite, sqliteType, toSqlite } from './jdbc-types.ts';

/** How long a statement waits for another connection's lock before it fails (SQLITE_BUSY). */
const BUSY_TIMEOUT_MS = 10_000;

export function createSqliteDriver(target: { path: string; label: string }): JdbcDriver {
  const { path, label } = target;
  const open = (readOnly: boolean): DatabaseSync => {
    try {
      return new DatabaseSync(path, { readOnly, timeout: BUSY_TIMEOUT_MS });
    } catch (err) {
      throw jdbcError(label, err, 'cannot open');
    }
  };

  return {
    dialect: 'sqlite',
    label,
    placeholder: () => '?',
    // SQLITE_MAX_VARIABLE_NUMBER's default since SQLite 3.32.
    maxParams: 32_766,

    describe(request: DescribeRequest): Description {
      const db = open(true);
      try {
        const statement = db.prepare(request.sql);
        const columns = statement.columns();
        let sample: unknown[] | undefined;
        if (columns.some((c) => c.type === null)) {
          // An expression has no declared type: its first value decides.
          const first = db.prepare(`SELECT * FROM (${request.sql}) LIMIT 1`);
          first.setReturnArrays(true);
          sample = first.get() as unknown[] | undefined;
        }
        const primaryKey: string[] = [];
        if (request.table !== undefined) {
          const dot = splitSchema(request.table);
          const rows = db.prepare(`PRAGMA ${dot.schema}table_info(${dot.name})`).all() as Array<{
            name: string;
            pk: number;
          }>;
          for (const row of rows.filter((r) => r.pk > 0).sort((a, b) => a.pk - b.pk)) {
            primaryKey.push(row.name);
          }
        }
        const described = columns.map((c, i) => ({
          name: c.name,
          type: sqliteType(c.type, sample?.[i]),
        }));
        let bounds: Description['bounds'];
        const column = boundsColumn(described, request.boundsOf);
        if (column !== undefined) {
          const q = db.prepare(`SELECT min(${column}), max(${column}) FROM (${request.sql})`);
          q.setReturnArrays(true);
          const [min, max] = q.get() as unknown as unknown[];
          bounds = { min: toBound(min), max: toBound(max) };
        }
        return {
          columns: described,
          primaryKey,
          ...(bounds === undefined ? {} : { bounds }),
        };
      } catch (err) {
        throw jdbcError(label, err);
      } finally {
        db.close();
      }
    },

    async connect({ readOnly }): Promise<JdbcConnection> {
      const db = open(readOnly);
      const statements = new Map<string, StatementSync>();
      const prepared = (sql: string): StatementSync => {
        let s = statements.get(sql);
        if (s === undefined) {
          s = db.prepare(sql);
          statements.set(sql, s);
        }
        return s;
      };
      const guard = <T>(fn: () => T, doing?: string): T => {
        try {
          return fn();
        } catch (err) {
          throw jdbcError(label, err, doing);
        }
      };
      return {
        async read(sql: string, types: readonly DataType[], fetchSize: number, skip: number) {
          const rows = guard(() => {
            const statement = db.prepare(sql);
            statement.setReturnArrays(true);
            const it = statement.iterate() as Iterator<unknown[]>;
            for (let i = 0; i < skip; i++) if (it.next().done) break;
            return it;
          });
          let ended = false;
          const end = () => {
            if (!ended) {
              ended = true;
              rows.return?.();
            }
          };
          return {
            async next() {
              if (ended) return null;
              const batch: unknown[][] = [];
              guard(() => {
                while (batch.length < fetchSize) {
                  const step = rows.next();
                  if (step.done) {
                    ended = true;
                    break;
                  }
                  const raw = step.value;
                  batch.push(raw.map((v, i) => fromSqlite(types[i] as DataType, v)));
                }
              });
              if (batch.length === 0) return null;
              return batch;
            },
            close: async () => end(),
          };
        },
        async execute(sql, params) {
          guard(() => prepared(sql).run(...params.map((v) => toSqlite(v) as SQLInputValue)));
        },
        async begin() {
          // IMMEDIATE takes the write lock now, so a conflict shows at the first write, not at commit.
          guard(() => db.exec('BEGIN IMMEDIATE'), 'begin');
        },
        async commit() {
          guard(() => db.exec('COMMIT'), 'commit');
        },
        async rollback() {
          guard(() => {
            if (db.isTransaction) db.exec('ROLLBACK');
          }, 'rollback');
        },
        async close() {
          if (db.isOpen) db.close();
        },
      };
    },
  };
}

/** `"main"."t"` → { schema: `"main".`, name: `"t"` }, for PRAGMA's schema.pragma(table) form. */
function splitSchema(quoted: string): { schema: string; name: string } {
  const m = /^("(?:[^"]|"")*")\.("(?:[^"]|"")*")$/.exec(quoted);
  return m ? { schema: `${m[1]}.`, name: m[2] as string } : { schema: '', name: quoted };
}

function toBound(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}
