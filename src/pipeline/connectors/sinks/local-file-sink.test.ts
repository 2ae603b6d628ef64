// The LocalFile sink's partitions over a real folder: directory names, escaping, which columns reach the
// files, file roll-over per directory, the transaction's temporary files, and bad options.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { readPipelineConfig } from '../../config/pipeline-config.ts';
import { parseFields } from '../../data-type.ts';
import { connectors } from '../registry.ts';
import type { Row, Sink } from '../connector.ts';
import { localFileSink } from './local-file-sink.ts';

let dir: string;
describe('local-file-sink', () => {
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-localfile-sink-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const fields = parseFields({ name: 'string', age: 'int', city: 'string' });
  const out = () => path.join(dir, 'out');
  const tmp = () => path.join(dir, 'tmp');

  const sinkWith = (options: Record<string, unknown>, schema = fields): Sink => {
    const config = readPipelineConfig(
      {
        env: { 'job.mode': 'BATCH' },
        source: [{ plugin_name: 'FakeSource', schema: { fields: { name: 'string' } } }],
        sink: [
          {
            plugin_name: 'LocalFile',
            path: out(),
            tmp_path: tmp(),
            file_format_type: 'json',
            ...options,
          },
        ],
      },
      connectors,
    );
    const plugin = config.sinks[0];
    assert.ok(plugin);
    return localFileSink.create({ plugin, env: config.env, jobId: '9', log: () => {} }, schema, 0);
  };

  const rows = (...values: unknown[][]): Row[] =>
    values.map((v) => ({ kind: 'INSERT', table: 'fake', values: v }));

  /** Every file under out/, relative, with its lines. */
  const written = (): Record<string, string[]> => {
    if (!existsSync(out())) return {};
    const files = readdirSync(out(), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.json'))
      .sort();
    return Object.fromEntries(
      files.map((f) => [f, readFileSync(path.join(out(), f), 'utf8').split('\n').filter(Boolean)]),
    );
  };

  /** The files of each partition directory: directory → lines of all its files. */
  const byDirectory = (): Record<string, string[]> => {
    const result: Record<string, string[]> = {};
    for (const [file, lines] of Object.entries(written())) {
      (result[path.dirname(file)] ??= []).push(...lines);
    }
    return result;
  };

  describe('LocalFile sink partitions', () => {
    it('writes each row under partition_by=value directories, leaving the partition columns out', async () => {
      const sink = sinkWith({ have_partition: true, partition_by: ['age', 'city'] });
      await sink.write(rows(['ann', 30, 'Oslo'], ['bob', 40, 'Rome'], ['cid', 30, 'Oslo']));
      await sink.write(rows(['dan', 40, 'Oslo']));
      assert.deepEqual(written(), {}, 'nothing reaches path before the commit');
      await sink.commit(await sink.prepareCommit(1));
      await sink.close();
      assert.deepEqual(byDirectory(), {
        'age=30/city=Oslo': ['{"name":"ann"}', '{"name":"cid"}'],
        'age=40/city=Oslo': ['{"name":"dan"}'],
        'age=40/city=Rome': ['{"name":"bob"}'],
      });
      for (const file of Object.keys(written())) {
        assert.match(path.basename(file), /^T_9_[0-9a-f]{32}_0_1\.json$/);
      }
      assert.deepEqual(readdirSync(path.join(tmp(), '9')), [], 'the transaction folder is gone');
    });

    it('names directories by partition_dir_expression and keeps the columns with is_partition_field_write_in_file', async () => {
      const sink = sinkWith({
        have_partition: true,
        partition_by: ['city', 'age'],
        partition_dir_expression: '${v0}/${k1}_${v1}',
        is_partition_field_write_in_file: true,
      });
      await sink.write(rows(['ann', 30, 'Oslo'], ['bob', null, 'Rome']));
      await sink.commit(await sink.prepareCommit(1));
      assert.deepEqual(byDirectory(), {
        'Oslo/age_30': ['{"name":"ann","age":30,"city":"Oslo"}'],
        'Rome/age_null': ['{"name":"bob","age":null,"city":"Rome"}'],
      });
    });

    it('escapes values that would name another directory', async () => {
      const sink = sinkWith({ have_partition: true, partition_by: ['city'] });
      await sink.write(rows(['a', 1, '../../etc'], ['b', 2, '..'], ['c', 3, '50%/x']));
      await sink.commit(await sink.prepareCommit(1));
      assert.deepEqual(Object.keys(byDirectory()).sort(), [
        'city=%2E%2E',
        'city=..%2F..%2Fetc',
        'city=50%25%2Fx',
      ]);
    });

    it('rolls over to a new file every batch_size rows in each directory', async () => {
      const sink = sinkWith({ have_partition: true, partition_by: ['age'], batch_size: 2 });
      await sink.write(rows(['a', 1, 'x'], ['b', 1, 'x'], ['c', 1, 'x'], ['d', 2, 'x']));
      await sink.commit(await sink.prepareCommit(1));
      const names = Object.keys(written()).map((f) => f.replace(/[0-9a-f]{32}/, 'U'));
      assert.deepEqual(names.sort(), [
        'age=1/T_9_U_0_1.json',
        'age=1/T_9_U_0_1_1.json',
        'age=2/T_9_U_0_1.json',
      ]);
    });

    it('abort drops the partitioned files of the open transaction', async () => {
      const sink = sinkWith({ have_partition: true, partition_by: ['age'] });
      await sink.write(rows(['a', 1, 'x'], ['b', 2, 'x']));
      await sink.abort();
      assert.deepEqual(written(), {});
      assert.deepEqual(readdirSync(path.join(tmp(), '9')), []);
    });

    it('ignores partition_by without have_partition', async () => {
      const sink = sinkWith({ partition_by: ['age'] });
      await sink.write(rows(['a', 1, 'x']));
      await sink.commit(await sink.prepareCommit(1));
      assert.deepEqual(Object.values(written()), [['{"name":"a","age":1,"city":"x"}']]);
    });

    it('rejects a missing partition_by and columns that are not written', () => {
      assert.throws(
        () => sinkWith({ have_partition: true }),
        /LocalFile: have_partition is true, so option 'partition_by' must list the partition columns/,
      );
      assert.throws(
        () => sinkWith({ have_partition: true, partition_by: ['zip'] }),
        /partition_by names "zip", which is not a column written by this sink; the columns are name, age, city/,
      );
      assert.throws(
        () => sinkWith({ have_partition: true, partition_by: ['age'], sink_columns: ['name'] }),
        /partition_by names "age", which is not a column written by this sink; the columns are name$/,
      );
    });
  });

  describe('LocalFile sink json lines', () => {
    const lines = async (
      schema: Record<string, unknown> | ReturnType<typeof parseFields>,
      values: unknown[][],
    ): Promise<string[]> => {
      rmSync(out(), { recursive: true, force: true });
      const sink = sinkWith({}, Array.isArray(schema) ? schema : parseFields(schema));
      await sink.write(rows(...values));
      await sink.commit(await sink.prepareCommit(1));
      await sink.close();
      return Object.values(written()).flat();
    };

    it('writes each row as JSON with its columns in the schema order, missing values as null', async () => {
      const schema = {
        id: 'bigint',
        name: 'string',
        score: 'double',
        ok: 'boolean',
        tags: 'array<string>',
        point: { x: 'int', y: 'int' },
      };
      assert.deepEqual(
        await lines(schema, [
          [1, 'a "quoted"\nline', 1.5, true, ['x', 'y'], [1, 2]],
          [2, null, Number.NaN, false, null, null],
          [3, undefined, 0, null, [], [3, undefined]],
        ]),
        [
          '{"id":1,"name":"a \\"quoted\\"\\nline","score":1.5,"ok":true,"tags":["x","y"],"point":{"x":1,"y":2}}',
          '{"id":2,"name":null,"score":null,"ok":false,"tags":null,"point":null}',
          '{"id":3,"name":null,"score":0,"ok":null,"tags":[],"point":{"x":3,"y":null}}',
        ],
      );
    });

    it('keeps the schema order and every column for names an object would move or drop', async () => {
      // A schema's columns in an order a JS object would not keep (array indices come first).
      const ordered = [...parseFields({ b: 'int' }), ...parseFields({ '2': 'int', a: 'int' })];
      assert.deepEqual(await lines(ordered, [[1, 2, 3]]), ['{"b":1,"2":2,"a":3}']);
      // As a config's JSON gives it: an own property named __proto__, not the prototype.
      const proto = JSON.parse('{"__proto__": "int", "x": "int"}') as Record<string, unknown>;
      assert.deepEqual(await lines(proto, [[1, 2]]), ['{"__proto__":1,"x":2}']);
    });
  });
});
