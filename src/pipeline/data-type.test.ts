import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesOfRow, formatDataType, parseDataType, parseFields } from './data-type.ts';
import { isConfigError } from './config-error.ts';

describe('data types', () => {
  it("reads SeaTunnel's type spellings and prints them back", () => {
    for (const [spec, printed] of [
      ['string', 'string'],
      ['INT', 'int'],
      ['bigint', 'bigint'],
      ['decimal(30, 8)', 'decimal(30, 8)'],
      ['decimal(10,2)', 'decimal(10, 2)'],
      ['decimal', 'decimal(38, 18)'],
      ['array<int>', 'array<int>'],
      ['map<string, array<int>>', 'map<string, array<int>>'],
      ['timestamp', 'timestamp'],
      ['"null"'.replaceAll('"', ''), 'null'],
    ] as const) {
      assert.equal(formatDataType(parseDataType(spec)), printed, spec);
    }
    assert.deepEqual(parseDataType({ x: 'int', y: { z: 'string' } }), {
      kind: 'row',
      fields: [
        { name: 'x', type: { kind: 'int' } },
        { name: 'y', type: { kind: 'row', fields: [{ name: 'z', type: { kind: 'string' } }] } },
      ],
    });
  });

  it('names the field and the allowed types when a type is wrong', () => {
    assert.throws(
      () => parseFields({ a: 'int', b: 'varchar' }),
      (err: unknown) =>
        isConfigError(err) &&
        /^field "b": unknown type "varchar": use string, boolean/.test(err.message),
    );
    for (const bad of ['array<int', 'map<string>', 'decimal(40, 2)', 'decimal(5, 6)', 'int x', 7]) {
      assert.throws(() => parseDataType(bad), isConfigError, String(bad));
    }
  });

  it("counts bytes as SeaTunnel's metrics do: [3, 'C', 100] as bigint, string, int is 13", () => {
    const fields = parseFields({ id: 'bigint', name: 'string', n: 'int' });
    assert.equal(bytesOfRow(fields, [3, 'C', 100]), 13);
    const all = parseFields({
      b: 'boolean',
      t: 'tinyint',
      s: 'smallint',
      f: 'float',
      d: 'double',
      dec: 'decimal(10, 2)',
      date: 'date',
      time: 'time',
      ts: 'timestamp',
      raw: 'bytes',
      list: 'array<int>',
      m: 'map<string, int>',
      r: { x: 'int' },
      nothing: 'string',
    });
    const row = [
      true,
      1,
      2,
      1.5,
      2.5,
      '1.00',
      '2024-01-01',
      '10:00:00',
      '2024-01-01 10:00:00',
      new Uint8Array(3),
      [1, 2],
      { ab: 1 },
      [7],
      null,
    ];
    assert.equal(
      bytesOfRow(all, row),
      1 + 1 + 2 + 4 + 8 + 36 + 24 + 12 + 48 + 3 + 8 + (2 + 4) + 4 + 0,
    );
  });
});
