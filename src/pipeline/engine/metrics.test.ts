import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Row } from '../connectors/connector.ts';
import { RATE_METRICS, TABLE_METRICS, createMetrics, javaDouble } from './metrics.ts';

const rows = (table: string, n: number): Row[] =>
  Array.from({ length: n }, () => ({ kind: 'INSERT', table, values: [] }));

describe('createMetrics', () => {
  it('lists every table with zeros before the first row, in all eight per-table maps', () => {
    let now = 1000;
    const metrics = createMetrics(() => now, { sources: ['fake'], sinks: ['fake', 'other'] });
    now += 500;
    const first = metrics.snapshot();
    for (const key of TABLE_METRICS) {
      const tables = key.startsWith('TableSource') ? ['fake'] : ['fake', 'other'];
      assert.deepEqual(first[key], Object.fromEntries(tables.map((t) => [t, 0])), key);
    }
  });

  it('gives per-table rates as count or bytes per second since the start', () => {
    let now = 0;
    const metrics = createMetrics(() => now, { sources: ['a', 'b'], sinks: ['a'] });
    metrics.sourceReceived(rows('a', 30), 300);
    metrics.sourceReceived(rows('b', 10), 50);
    metrics.sinkWrote(rows('a', 20), 200);
    now = 2000;
    const m = metrics.snapshot();
    assert.deepEqual(m.TableSourceReceivedCount, { a: 30, b: 10 });
    assert.deepEqual(m.TableSourceReceivedQPS, { a: 15, b: 5 });
    assert.deepEqual(m.TableSourceReceivedBytesPerSeconds, { a: 150, b: 25 });
    assert.deepEqual(m.TableSinkWriteQPS, { a: 10 });
    assert.deepEqual(m.TableSinkWriteBytesPerSeconds, { a: 100 });
    assert.equal(m.SourceReceivedQPS, 20);
    assert.equal(m.SinkWriteBytesPerSeconds, 100);
    for (const key of RATE_METRICS) {
      const value = m[key as keyof typeof m];
      const figures = typeof value === 'number' ? [value] : Object.values(value);
      for (const f of figures) assert.ok(Number.isFinite(f), `${key} is a number`);
    }
  });
});

describe('javaDouble', () => {
  it("writes numbers as Java's Double.toString does", () => {
    const cases: Array<[number, string]> = [
      [0, '0.0'],
      [12, '12.0'],
      [3.5, '3.5'],
      [0.001, '0.001'],
      [0.0001, '1.0E-4'],
      [1e7, '1.0E7'],
      [12345678.9, '1.23456789E7'],
      [9999999.5, '9999999.5'],
      [-2.25, '-2.25'],
    ];
    for (const [n, text] of cases) {
      assert.equal(javaDouble(n), text, String(n));
      assert.equal(Number(text), n, `${text} reads back`);
    }
  });
});
