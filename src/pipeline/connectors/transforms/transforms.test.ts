import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readPipelineConfig } from '../../config/pipeline-config.ts';
import { parseFields } from '../../data-type.ts';
import { execute } from '../../engine/executor.ts';
import { type ConnectorContext } from '../connector.ts';
import { connectors } from '../registry.ts';
import { isConfigError } from '../../config-error.ts';

const INPUT = parseFields({ id: 'int', name: 'string', city: 'string' });

const make = (name: string, options: Record<string, unknown>) => {
  const ctx: ConnectorContext = {
    plugin: {
      role: 'transform',
      index: 0,
      name,
      output: 't',
      inputs: ['fake'],
      parallelism: 1,
      options: options as never,
    },
    env: readPipelineConfig(
      { source: [{ plugin_name: 'FakeSource' }], sink: [{ plugin_name: 'Console' }] },
      connectors,
    ).env,
    jobId: '1',
    log: () => {},
  };
  return connectors.transform(name).create(ctx, INPUT);
};
const row = (values: unknown[]) => ({ kind: 'INSERT' as const, table: 'fake', values });

describe('transforms', () => {
  it('Filter keeps include_fields in their order, or drops exclude_fields', () => {
    const keep = make('Filter', { include_fields: ['name', 'id'] });
    assert.deepEqual(
      keep.fields.map((f) => f.name),
      ['name', 'id'],
    );
    assert.deepEqual(keep.apply(row([1, 'a', 'x']))[0]?.values, ['a', 1]);
    const drop = make('Filter', { exclude_fields: ['city'] });
    assert.deepEqual(drop.apply(row([1, 'a', 'x']))[0]?.values, [1, 'a']);
    assert.throws(
      () => make('Filter', { include_fields: ['id'], exclude_fields: ['city'] }),
      /not both/,
    );
    assert.throws(() => make('Filter', {}), /give either 'include_fields'/);
    assert.throws(
      () => make('Filter', { include_fields: ['nope'] }),
      /"nope", which is not a field; the fields are id, name, city/,
    );
  });

  it('FieldMapper keeps, orders and renames', () => {
    const t = make('FieldMapper', { field_mapper: { city: 'town', id: 'user_id' } });
    assert.deepEqual(
      t.fields.map((f) => [f.name, f.type.kind]),
      [
        ['town', 'string'],
        ['user_id', 'int'],
      ],
    );
    assert.deepEqual(t.apply(row([1, 'a', 'x']))[0]?.values, ['x', 1]);
    assert.throws(() => make('FieldMapper', { field_mapper: [] }), isConfigError);
  });

  it('Replace replaces text, or a regular expression, everywhere or first only', () => {
    assert.deepEqual(
      make('Replace', { replace_field: 'name', pattern: 'a', replacement: 'b' }).apply(
        row([1, 'banana', 'x']),
      )[0]?.values,
      [1, 'bbnbnb', 'x'],
    );
    assert.deepEqual(
      make('Replace', {
        replace_field: 'name',
        pattern: '(a)n',
        replacement: '<$1>',
        is_regex: true,
        replace_first: true,
      }).apply(row([1, 'banana', 'x']))[0]?.values,
      [1, 'b<a>ana', 'x'],
    );
    assert.deepEqual(
      make('Replace', { replace_field: 'name', pattern: 'a', replacement: 'b' }).apply(
        row([1, null, 'x']),
      )[0]?.values,
      [1, null, 'x'],
    );
    assert.throws(
      () => make('Replace', { replace_field: 'id', pattern: 'a', replacement: 'b' }),
      /must be a string field, not int/,
    );
    assert.throws(
      () =>
        make('Replace', { replace_field: 'name', pattern: '(', replacement: 'b', is_regex: true }),
      /not a valid regular expression/,
    );
    assert.throws(
      () => make('Replace', { replace_field: 'name', replacement: 'b' }),
      /the options\('pattern'\) are required/,
    );
  });

  it('Copy appends copies after the existing fields', () => {
    const t = make('Copy', { fields: { name2: 'name' } });
    assert.deepEqual(
      t.fields.map((f) => f.name),
      ['id', 'name', 'city', 'name2'],
    );
    assert.deepEqual(t.apply(row([1, 'a', 'x']))[0]?.values, [1, 'a', 'x', 'a']);
    assert.throws(() => make('Copy', { fields: { city: 'name' } }), /exists already/);
  });

  it('chain in a pipeline: each transform reads the table the one before made', async () => {
    const lines: string[] = [];
    const config = readPipelineConfig(
      {
        source: [
          {
            plugin_name: 'FakeSource',
            result_table_name: 'fake',
            'split.read-interval': 0,
            schema: { fields: { id: 'int', name: 'string', city: 'string' } },
            rows: [{ kind: 'INSERT', fields: [7, 'anna', 'Oslo'] }],
          },
        ],
        transform: [
          {
            plugin_name: 'Filter',
            source_table_name: 'fake',
            result_table_name: 'f',
            include_fields: ['id', 'name'],
          },
          {
            plugin_name: 'Replace',
            result_table_name: 'r',
            replace_field: 'name',
            pattern: 'n',
            replacement: 'N',
          },
          { plugin_name: 'Copy', result_table_name: 'c', fields: { again: 'name' } },
          {
            plugin_name: 'FieldMapper',
            result_table_name: 'm',
            field_mapper: { again: 'copy', id: 'key' },
          },
        ],
        sink: [{ plugin_name: 'Console' }],
      },
      connectors,
    );
    const result = await execute({
      config,
      jobId: '1',
      registry: connectors,
      log: (l) => lines.push(l),
    }).done;
    assert.equal(result.status, 'FINISHED', result.error);
    assert.deepEqual(lines, [
      'output rowType: copy<STRING>, key<INT>',
      'subtaskIndex=0  rowIndex=1:  SeaTunnelRow#tableId=m SeaTunnelRow#kind=INSERT : aNNa, 7',
    ]);
    assert.deepEqual(result.metrics.TableSourceReceivedCount, { fake: 1 });
    assert.deepEqual(result.metrics.TableSinkWriteCount, { m: 1 });
  });
});
