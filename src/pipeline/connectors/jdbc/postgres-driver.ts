// The Jdbc driver for PostgreSQL, on pg (imported on first use, so an agent that never reads
// PostgreSQL never loads it). Reads go through a server-side cursor (DECLARE … FETCH) in a read-only
// transaction; describe() runs on a worker thread because a source's fields are needed synchronously.
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { ClientConfig, CustomTypesConfig } from 'pg';
import type { DataType } from '../../data-type.ts';
import {
  jdbcError,
  type Description,
  type DescribeRequest,
  type JdbcConnection,
  type JdbcDriver,
} from './driver.ts';
import { int8Value, isoTimestamp, isoTimestamptz, PG_OID, toPostgres } from './jdbc-types.ts';
import type { DescribeJob, DescribeReply } from './postgres-describe-worker.ts';

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
  // The thread waits on a describe: a slow one is cut short rather than blocking it long.
  const describeConfig: ClientConfig = { ...config, statement_timeout: connectTimeoutMs * 2 };

  return {
    dialect: 'postgres',
    label,
    placeholder: (i) => `$${i + 1}`,
    maxParams: 65_535,

    describe(request: DescribeRequest): Description {
      const done = new Int32Array(new SharedArrayBuffer(4));
      const { port1, port2 } = new MessageChannel();
      const job: DescribeJob = { config: describeConfig, request, done, port: port2 };
      const worker = new Worker(new URL('./postgres-describe-worker.ts', import.meta.url), {
        workerData: job,
        transferList: [port2],
      });
      worker.unref();
      const waitMs = connectTimeoutMs * 3;
      try {
        // Blocks this thread until the worker answers; see the header for why.
        const outcome = Atomics.wait(done, 0, 0, waitMs);
        const reply = receiveMessageOnPort(port1)?.message as DescribeReply | undefined;
        if (outcome === 'timed-out' || reply === undefined) {
          throw jdbcError(
            label,
            `no answer within ${waitMs / 1000} s`,
            'cannot describe the query',
          );
        }
        if (!reply.ok) throw jdbcError(label, reply.error);
        return reply.description;
      } finally {
        port1.close();
        void worker.terminate();
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
