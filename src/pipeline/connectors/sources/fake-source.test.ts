// FakeSource's memory bounds: a batch of big rows holds fewer of them, and a row whose sizes multiply
// past what one row may hold is refused, naming the options to lower.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readPipelineConfig } from '../../config/pipeline-config.ts';
import { connectors } from '../registry.ts';
import { fakeSource } from './fake-source.ts';
import { isConfigError } from '../../config-error.ts';

const create = (options: Record<string, unknown>) => {
  const config = readPipelineConfig(
    {
      source: [{ plugin_name: 'FakeSource', 'split.read-interval': 0, ...options }],
      sink: [{ plugin_name: 'Console' }],
    },
    connectors,
  );
  const plugin = config.sources[0];
  assert.ok(plugin);
  return fakeSource.create({ plugin, env: config.env, jobId: '1', log: () => {} });
};

describe('FakeSource bounds', () => {
  it('reads big rows in smaller batches', async () => {
    const source = create({
      schema: { fields: { s: 'string' } },
      'string.length': 1_048_576,
      'row.num': 10,
    });
    const [split] = source.splits(1);
    assert.ok(split);
    const reader = source.reader(split, undefined);
    const batch = await reader.next(new AbortController().signal);
    assert.ok(batch !== null && batch.length >= 1 && batch.length <= 4, `${batch?.length} rows`);
    assert.equal((batch[0]?.values[0] as string).length, 1_048_576);
  });

  it('refuses a schema whose rows would each hold more than 16 MiB', () => {
    assert.throws(
      () =>
        create({
          schema: { fields: { grid: 'array<array<string>>' } },
          'array.size': 1000,
          'string.length': 1000,
        }),
      (err: unknown) =>
        isConfigError(err) && /about 969 MiB .*at most 16 MiB: lower those sizes/.test(err.message),
    );
  });
});
