// The Jdbc driver for PostgreSQL, on pg (imported on first use, so an agent that never reads
// PostgreSQL never loads it). Reads go through a server-side cursor (DECLARE … FETCH) in a read-only
// transaction.
import type { ClientConfig, CustomTypesConfig } from 'pg';
import type { DataType } from '../../data-type.ts';
import {
  boundsColumn,
  jdbcError,
  type Description,
  type DescribeRequest,
  type JdbcConnection,
  type JdbcDriver,
} from './driver.ts';
import {
  int8Value,
  isoTimestamp,
  isoTimestamptz,
  PG_OID,
  postgresType,
  toPostgres,
} from './jdbc-types.ts';

const CURSOR = 'bosun_jdbc_read';
/** Statements kept prepared per connection (a batch's last, shorter INSERT has its own text). */
const MAX_NAMED = 32;

/** Text kept as text: these types map to string, decimal, date, time or timestamp. */
const TEXT_PARSERS = new Map<number, (text: string) => unknown>([
  [PG_OID.int8, int8Value],
  [PG_OID.numeric, (s) => s],
  [PG_OID.date, (s) => s],
  [PG_OID.time, (s) => s],
  [PG_OID.timestamp, isoTimestamp],
  [PG_OID.timestamptz, isoTimestamptz],
  [PG_OID.json, (s) => s],
  [PG_OID.jsonb, (s) => s],
]);
/** Types pg's own parsers turn into what the mapped data type wants (booleans, numbers, Buffers, lists). */
const PG_PARSED: ReadonlySet<number> = new Set([
  PG_OID.bool,
  PG_OID.bytea,
  PG_OID.int2,
  PG_OID.int4,
  PG_OID.oid,
  PG_OID.float4,
  PG_OID.float8,
  PG_OID.boolArray,
  PG_OID.int2Array,
  PG_OID.int4Array,
  PG_OID.int8Array,
  PG_OID.float4Array,
  PG_OID.float8Array,
  PG_OID.textArray,
  PG_OID.varcharArray,
]);

export function createPostgresDriver(target: {
  config: ClientConfig;
  label: string;
  connectTimeoutMs: number;
}): JdbcDriver {
  const { label, connectTimeoutMs } = target;
  const config = target.config;
  // A describe that hangs (a locked table) is cut short: the run fails rather than waits forever.
  const describeConfig: ClientConfig = { ...config, statement_timeout: connectTimeoutMs * 2 };

  return {
    dialect: 'postgres',
    label,
    placeholder: (i) => `$${i + 1}`,
    maxParams: 65_535,

    async describe(request: DescribeRequest): Promise<Description> {
      try {
        return await describePostgres(describeConfig, request);
      } catch (err) {
        throw jdbcError(label, err, 'cannot describe the query');
      }
    },

    async connect(): Promise<JdbcConnection> {
      const { default: pg } = await import('pg');
      const types = {
        getTypeParser: (oid: number, format?: string) =>
          TEXT_PARSERS.get(oid) ??
          (PG_PARSED.has(oid) ? pg.types.getTypeParser(oid, format as 'text') : (s: string) => s),
      } as CustomTypesConfig;
      const client = new pg.Client({ ...config, types });
      // A connection lost while idle is reported on the next query; without a listener it would
      // crash the process.
      client.on('error', () => {});
      try {
        await client.connect();
        // timestamptz is read as UTC ISO text, whatever the server's zone.
        await client.query(`SET TIME ZONE 'UTC'`);
      } catch (err) {
        await client.end().catch(() => {});
        throw jdbcError(label, err, 'cannot connect');
      }
      const run = async (text: string, doing?: string): Promise<void> => {
        try {
          await client.query(text);
        } catch (err) {
          throw jdbcError(label, err, doing);
        }
      };
      const names = new Map<string, string>();
      let open = true;
      return {
        async read(sql: string, _types: readonly DataType[], fetchSize: number, skip: number) {
          await run('BEGIN READ ONLY');
          await run(`DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${sql}`);
          if (skip > 0) await run(`MOVE FORWARD ${skip} FROM ${CURSOR}`);
          let ended = false;
          const end = async () => {
            if (ended) return;
            ended = true;
            await client.query('ROLLBACK').catch(() => {});
          };
          return {
            async next() {
              if (ended) return null;
              try {
                const result = await client.query({
                  text: `FETCH FORWARD ${fetchSize} FROM ${CURSOR}`,
                  rowMode: 'array',
                });
                if (result.rows.length === 0) {
                  await end();
                  return null;
                }
                return result.rows as unknown[][];
              } catch (err) {
                throw jdbcError(label, err);
              }
            },
            close: end,
          };
        },
        async execute(sql, params) {
          let name = names.get(sql);
          if (name === undefined && names.size < MAX_NAMED) {
            // A named statement is parsed once per connection.
            name = `bosun_jdbc_${names.size + 1}`;
            names.set(sql, name);
          }
          try {
            await client.query({ name, text: sql, values: params.map(toPostgres) });
          } catch (err) {
            throw jdbcError(label, err);
          }
        },
        begin: () => run('BEGIN', 'begin'),
        commit: () => run('COMMIT', 'commit'),
        rollback: () => run('ROLLBACK', 'rollback'),
        async close() {
          if (!open) return;
          open = false;
          await client.end().catch(() => {});
        },
      };
    },
  };
}

async function describePostgres(
  config: ClientConfig,
  request: DescribeRequest,
): Promise<Description> {
  const { default: pg } = await import('pg');
  const client = new pg.Client(config);
  client.on('error', () => {});
  await client.connect();
  try {
    const result = await client.query({
      text: `SELECT * FROM (${request.sql}) AS bosun_describe LIMIT 0`,
      rowMode: 'array',
    });
    const columns = result.fields.map((f) => ({
      name: f.name,
      type: postgresType(f.dataTypeID, f.dataTypeModifier),
    }));
    const primaryKey: string[] = [];
    if (request.table !== undefined) {
      const keys = await client.query<{ attname: string }>(
        `SELECT a.attname FROM pg_index i
           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
          WHERE i.indrelid = $1::regclass AND i.indisprimary
          ORDER BY array_position(i.indkey::int2[], a.attnum)`,
        [request.table],
      );
      for (const row of keys.rows) primaryKey.push(row.attname);
    }
    let bounds: Description['bounds'];
    const column = boundsColumn(columns, request.boundsOf);
    if (column !== undefined) {
      const b = await client.query<{ min: string | null; max: string | null }>(
        `SELECT min(${column})::text AS min, max(${column})::text AS max FROM (${request.sql}) AS bosun_bounds`,
      );
      const row = b.rows[0];
      bounds = { min: toBound(row?.min ?? null), max: toBound(row?.max ?? null) };
    }
    return { columns, primaryKey, ...(bounds === undefined ? {} : { bounds }) };
  } finally {
    await client.end().catch(() => {});
  }
}

function toBound(text: string | null): number | null {
  if (text === null) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}
