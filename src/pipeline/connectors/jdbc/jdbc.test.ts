// The Jdbc source and sink against real databases, one suite run on SQLite (a temp file) and on
// PostgreSQL (a fresh schema on the test server): reads, splits, resume, writes, transactions, and a
// pipeline run from one table to another.
import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { execute } from '../../engine/executor.ts';
import type { Row } from '../connector.ts';
import { jdbcSink } from '../sinks/jdbc-sink.ts';
import { jdbcSource } from '../sources/jdbc-source.ts';
import {
  drain,
  jdbcRegistry,
  pipeline,
  postgresDatabase,
  sinkContext,
  sourceContext,
  sqliteDatabase,
  testPostgres,
  type TestDatabase,
} from '../../../../test/support/jdbc.ts';

const server = await testPostgres();
describe('jdbc', () => {
  after(async () => {
    if (typeof server !== 'string') await server.stop();
  });

  const backends: Array<{ name: string; open: () => Promise<TestDatabase>; skip?: string }> = [
    { name: 'SQLite', open: async () => sqliteDatabase() },
    typeof server === 'string'
      ? { name: 'PostgreSQL', open: () => Promise.reject(new Error(server)), skip: server }
      : { name: 'PostgreSQL', open: () => postgresDatabase(server) },
  ];

  const byId = (rows: unknown[][]) => [...rows].sort((a, b) => Number(a[0]) - Number(b[0]));
  const ids = (rows: unknown[][]) => byId(rows).map((r) => Number(r[0]));
  const range = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => from + i);

  for (const backend of backends) {
    describe(`Jdbc on ${backend.name}`, { skip: backend.skip ?? false }, () => {
      let db: TestDatabase;
      beforeEach(async () => {
        db = await backend.open();
        await db.exec(
          `create table items (id integer primary key, name varchar(40), score double precision, ` +
            `amount numeric(10, 2), ok boolean, day date, at timestamp, data ${db.blobType})`,
        );
      });
      afterEach(() => db.close());

      const fill = async (count: number) => {
        const values = range(1, count).map(
          (i) =>
            `(${i}, 'n${i}', ${i}.5, ${i}.25, ${i % 2 === 0 ? 'true' : 'false'}, '2024-01-0${(i % 9) + 1}', '2024-01-02 03:04:0${i % 10}', ${db.blob('0102ff')})`,
        );
        await db.exec(`insert into items values ${values.join(', ')}`);
      };
      const source = async (options: Record<string, unknown>) =>
        jdbcSource.create(sourceContext({ ...db.options, ...options }));

      describe('source', () => {
        it('reads a table by table_path with its column types and values', async () => {
          await fill(3);
          const s = await source({ table_path: db.table('items') });
          assert.deepEqual(
            s.fields.map((f) => [f.name, f.type.kind]),
            [
              ['id', 'int'],
              ['name', 'string'],
              ['score', 'double'],
              ['amount', 'decimal'],
              ['ok', 'boolean'],
              ['day', 'date'],
              ['at', 'timestamp'],
              ['data', 'bytes'],
            ],
          );
          assert.deepEqual(s.fields[3]?.type, { kind: 'decimal', precision: 10, scale: 2 });
          const rows = byId(await drain(s, 1));
          assert.equal(rows.length, 3);
          const [id, name, score, amount, ok, day, at, data] = rows[1] as unknown[];
          assert.deepEqual(
            [id, name, score, ok, day, at],
            [2, 'n2', 2.5, true, '2024-01-03', '2024-01-02T03:04:02'],
          );
          assert.equal(Number(amount), 2.25);
          assert.equal(typeof amount, 'string');
          assert.deepEqual([...(data as Uint8Array)], [1, 2, 255]);
        });

        it('reads a query, in its own order, and a table filtered by where_condition', async () => {
          await fill(10);
          const q = await source({
            query: `select id, name from ${db.table('items')} where id <= 4 order by id desc`,
          });
          assert.deepEqual(
            q.fields.map((f) => f.name),
            ['id', 'name'],
          );
          assert.deepEqual(
            (await drain(q, 1)).map((r) => r[0]),
            [4, 3, 2, 1],
          );
          const w = await source({
            table_path: db.table('items'),
            where_condition: 'where id > 7',
          });
          assert.deepEqual(ids(await drain(w, 1)), [8, 9, 10]);
        });

        it('cuts partition_column ranges into splits that two readers read once each', async () => {
          await fill(100);
          await db.exec(
            `insert into items (id, name) values (1000, 'far')`, // beyond an evenly spread range
          );
          const s = await source({
            table_path: db.table('items'),
            partition_column: 'id',
            fetch_size: 7,
          });
          assert.equal(s.splits(2).length, 2, 'partition_num defaults to the parallelism');
          assert.equal(s.splits(4).length, 4);
          assert.deepEqual(ids(await drain(s, 2)), [...range(1, 100), 1000]);

          const bounded = await source({
            table_path: db.table('items'),
            partition_column: 'id',
            partition_lower_bound: 11,
            partition_upper_bound: 20,
            partition_num: 3,
          });
          assert.equal(bounded.splits(2).length, 3);
          assert.deepEqual(ids(await drain(bounded, 2)), range(11, 20));
        });

        it('rejects a partition_column that is not a numeric column', async () => {
          await assert.rejects(
            () => source({ table_path: db.table('items'), partition_column: 'name' }),
            /partition_column "name" must be a numeric column/,
          );
          await assert.rejects(
            () => source({ table_path: db.table('items'), partition_column: 'nope' }),
            /partition_column "nope" is not a column/,
          );
        });

        it('resumes a split from its position without a row lost or read twice', async () => {
          await fill(50);
          const s = await source({ table_path: db.table('items'), fetch_size: 8 });
          const [split] = s.splits(1);
          assert.ok(split);
          const controller = new AbortController();
          const first = s.reader(split, undefined, 0);
          const seen: unknown[][] = [];
          for (let i = 0; i < 3; i++) {
            const rows = (await first.next(controller.signal)) ?? [];
            seen.push(...rows.map((r) => r.values));
          }
          const position = JSON.parse(JSON.stringify(first.position())) as unknown;
          assert.equal(position, 24);
          // The stopped run's reader is dropped as the engine drops it: its signal aborts.
          controller.abort();

          const again = await source({ table_path: db.table('items'), fetch_size: 8 });
          const [same] = again.splits(1);
          assert.deepEqual(same, split);
          const resumed = again.reader(same as typeof split, position, 0);
          const signal = new AbortController().signal;
          for (let rows = await resumed.next(signal); rows; rows = await resumed.next(signal)) {
            seen.push(...rows.map((r) => r.values));
          }
          assert.equal(resumed.position(), 50);
          assert.deepEqual(
            seen.map((r) => r[0]),
            range(1, 50),
          );
        });

        it('fails a read of a missing table with the plugin and the database named', async () => {
          await assert.rejects(
            () => source({ table_path: db.table('missing') }),
            (err: Error) => {
              assert.match(err.message, new RegExp(`^Jdbc: ${backend.name} database `));
              assert.match(err.message, /missing/);
              return true;
            },
          );
        });
      });

      describe('sink', () => {
        const fields = [
          { name: 'id', type: { kind: 'int' } },
          { name: 'name', type: { kind: 'string' } },
        ] as const;
        const row = (kind: Row['kind'], id: number, name: string | null): Row => ({
          kind,
          table: 'src',
          values: [id, name],
        });
        const target = async () => {
          await db.exec(`create table out (id integer primary key, name varchar(40))`);
        };
        const sink = (options: Record<string, unknown>, log: string[] = []) => {
          const ctx = sinkContext({ ...db.options, ...options }, log);
          return jdbcSink.create(ctx, [...fields], 0);
        };
        const out = () => db.rows(`select id, name from out order by id`);

        it('upserts and deletes by primary key, committed when the checkpoint commits', async () => {
          await target();
          const s = sink({ generate_sink_sql: true, table: db.table('out'), primary_keys: ['id'] });
          await s.write([row('INSERT', 1, 'a'), row('INSERT', 2, 'b'), row('INSERT', 3, 'c')]);
          await s.write([
            row('UPDATE_BEFORE', 2, 'b'),
            row('UPDATE_AFTER', 2, 'B'),
            row('DELETE', 3, 'c'),
            row('INSERT', 1, 'a1'),
            row('INSERT', 1, 'a2'),
          ]);
          assert.deepEqual(await out(), [], 'nothing visible before the commit');
          const prepared = await s.prepareCommit(1);
          assert.deepEqual(JSON.parse(JSON.stringify(prepared)), prepared, 'JSON-able');
          await s.commit(prepared);
          assert.deepEqual(await out(), [
            [1, 'a2'],
            [2, 'B'],
          ]);
          await s.close();
        });

        it('writes in statements of batch_size rows, and plain INSERTs without primary keys', async () => {
          await target();
          const s = sink({ generate_sink_sql: true, table: db.table('out'), batch_size: 3 });
          await s.write(range(1, 10).map((i) => row('INSERT', i, `r${i}`)));
          await s.commit(await s.prepareCommit(1));
          assert.deepEqual(
            (await out()).map((r) => Number(r[0])),
            range(1, 10),
          );
          // Without primary keys a repeated key is the database's error, named with the database.
          await assert.rejects(s.write([row('INSERT', 1, 'again')]), (err: Error) => {
            assert.match(err.message, new RegExp(`^Jdbc: ${backend.name} database `));
            return true;
          });
          await s.abort();
          await s.close();
        });

        it('writes through query with ? placeholders, and logs that DELETE rows are skipped', async () => {
          await target();
          const log: string[] = [];
          const s = sink({ query: `insert into ${db.table('out')} (id, name) values (?, ?)` }, log);
          await s.write([row('INSERT', 1, 'a'), row('DELETE', 1, 'a'), row('INSERT', 2, "it's")]);
          await s.commit(await s.prepareCommit(1));
          assert.deepEqual(await out(), [
            [1, 'a'],
            [2, "it's"],
          ]);
          assert.equal(log.length, 1);
          assert.match(log[0] as string, /DELETE rows are skipped/);
          await s.close();
        });

        it('rolls the checkpoint back on abort, and keeps what earlier checkpoints committed', async () => {
          await target();
          const s = sink({ generate_sink_sql: true, table: db.table('out'), primary_keys: 'id' });
          await s.write([row('INSERT', 1, 'kept')]);
          await s.commit(await s.prepareCommit(1));
          await s.write([row('INSERT', 2, 'dropped'), row('UPDATE_AFTER', 1, 'changed')]);
          await s.abort();
          await s.close();
          assert.deepEqual(await out(), [[1, 'kept']]);
        });

        it('rejects a write into a missing table, naming the plugin and the database', async () => {
          const s = sink({ generate_sink_sql: true, table: db.table('missing') });
          await assert.rejects(s.write([row('INSERT', 1, 'a')]), (err: Error) => {
            assert.match(err.message, new RegExp(`^Jdbc: ${backend.name} database `));
            assert.match(err.message, /missing/);
            return true;
          });
          await s.abort();
          await s.close();
        });
      });

      it('runs a pipeline from one table to another with two readers and two writers', async () => {
        await fill(300);
        await db.exec(
          `create table copy (id integer primary key, name varchar(40), score double precision, ` +
            `amount numeric(10, 2), ok boolean, day date, at timestamp, data ${db.blobType})`,
        );
        const run = execute({
          config: pipeline(
            { 'job.mode': 'BATCH', parallelism: 2, 'checkpoint.interval': 5 },
            {
              plugin_name: 'Jdbc',
              result_table_name: 'items',
              ...db.options,
              table_path: db.table('items'),
              partition_column: 'id',
              partition_num: 5,
              fetch_size: 16,
            },
            {
              plugin_name: 'Jdbc',
              ...db.options,
              generate_sink_sql: true,
              table: db.table('copy'),
              primary_keys: ['id'],
            },
          ),
          jobId: 'jdbc-e2e',
          registry: jdbcRegistry,
          log: () => {},
        });
        const result = await run.done;
        assert.equal(result.status, 'FINISHED', result.error);
        assert.equal(result.metrics.SourceReceivedCount, 300);
        assert.equal(result.metrics.SinkWriteCount, 300);
        assert.deepEqual(
          await db.rows(`select * from copy order by id`),
          await db.rows(`select * from items order by id`),
        );
      });

      it('fails a pipeline run, not the process, when the sink table is missing', async () => {
        await fill(5);
        const run = execute({
          config: pipeline(
            { 'job.mode': 'BATCH' },
            { plugin_name: 'Jdbc', ...db.options, table_path: db.table('items') },
            {
              plugin_name: 'Jdbc',
              ...db.options,
              generate_sink_sql: true,
              table: db.table('nope'),
            },
          ),
          jobId: 'jdbc-fail',
          registry: jdbcRegistry,
          log: () => {},
        });
        const result = await run.done;
        assert.equal(result.status, 'FAILED');
        assert.match(result.error ?? '', new RegExp(`^Jdbc: ${backend.name} database .*nope`));
      });
    });
  }
});
