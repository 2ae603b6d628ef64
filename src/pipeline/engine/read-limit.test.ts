// read_limit.rows_per_second and read_limit.bytes_per_second through the engine: a FakeSource that
// would be read in milliseconds takes the time the limit says.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readPipelineConfig } from '../config/pipeline-config.ts';
import type { Row } from '../connectors/connector.ts';
import { connectors } from '../connectors/registry.ts';
import { execute } from './executor.ts';
import { createReadLimit } from './read-limit.ts';

/** 200 rows of 28 bytes (a 24-character string and an int) to a Console sink that prints nothing. */
const timedRun = async (env: Record<string, unknown>) => {
  const config = readPipelineConfig(
    {
      env: { 'job.mode': 'BATCH', ...env },
      source: [
        {
          plugin_name: 'FakeSource',
          schema: { fields: { id: 'string', n: 'int' } },
          'string.length': 24,
          'row.num': 200,
          'split.read-interval': 0,
        },
      ],
      sink: [{ plugin_name: 'Console', 'log.print.data': false }],
    },
    connectors,
  );
  const started = performance.now();
  const result = await execute({ config, jobId: '1', registry: connectors, log: () => {} }).done;
  return { result, seconds: (performance.now() - started) / 1000 };
};

describe('read limits', () => {
  it('reads 200 rows at read_limit.rows_per_second = 100 in no less than 1.5 s', async () => {
    const { result, seconds } = await timedRun({ 'read_limit.rows_per_second': 100 });
    assert.equal(result.status, 'FINISHED', result.error);
    assert.equal(result.metrics.SourceReceivedCount, 200);
    assert.ok(seconds >= 1.5, `took ${seconds.toFixed(2)} s`);
  });

  it('reads 5,600 bytes at read_limit.bytes_per_second = 2800 in no less than 1.5 s', async () => {
    const { result, seconds } = await timedRun({ 'read_limit.bytes_per_second': 2800 });
    assert.equal(result.status, 'FINISHED', result.error);
    assert.equal(result.metrics.SourceReceivedBytes, 200 * 28);
    assert.ok(seconds >= 1.5, `took ${seconds.toFixed(2)} s`);
  });

  it('cuts a batch into slices of a tenth of a second of the rate, by rows and by bytes', () => {
    const rows = Array.from({ length: 25 }, (_, i): Row => ({
      kind: 'INSERT',
      table: 't',
      values: [i],
    }));
    const sizes = (slices: Row[][]) => slices.map((s) => s.length);
    const byRows = createReadLimit({ rowsPerSecond: 100, bytesPerSecond: undefined }, () => 1);
    assert.deepEqual(sizes(byRows?.slices(rows) ?? []), [10, 10, 5]);
    const byBytes = createReadLimit({ rowsPerSecond: undefined, bytesPerSecond: 400 }, () => 8);
    assert.deepEqual(sizes(byBytes?.slices(rows) ?? []), [5, 5, 5, 5, 5]);
    // A row bigger than a slice still goes, alone.
    const huge = createReadLimit({ rowsPerSecond: undefined, bytesPerSecond: 1 }, () => 1000);
    assert.deepEqual(sizes(huge?.slices(rows.slice(0, 3)) ?? []), [1, 1, 1]);
    assert.equal(
      createReadLimit({ rowsPerSecond: undefined, bytesPerSecond: undefined }, () => 1),
      undefined,
    );
  });
});
