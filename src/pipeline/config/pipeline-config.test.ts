import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalog } from '../connectors/catalog.ts';
import { buildDag } from '../dag.ts';
import { DEFAULT_TABLE, parsePipelineText, readPipelineConfig } from './pipeline-config.ts';
import { isConfigError } from '../config-error.ts';

/** The body of SeaTunnel's REST docs' submit-job example. */
const DOC_EXAMPLE = {
  env: { 'job.mode': 'batch' },
  source: [
    {
      plugin_name: 'FakeSource',
      result_table_name: 'fake',
      'row.num': 100,
      schema: { fields: { name: 'string', age: 'int', card: 'int' } },
    },
  ],
  transform: [],
  sink: [{ plugin_name: 'Console', source_table_name: ['fake'] }],
};

const fails = (doc: unknown, message: RegExp) =>
  assert.throws(
    () => readPipelineConfig(doc, catalog),
    (err: unknown) => isConfigError(err) && message.test(err.message),
    message.source,
  );

describe('pipeline config', () => {
  it("reads SeaTunnel's REST example: env defaults, wiring and options", () => {
    const config = readPipelineConfig(DOC_EXAMPLE, catalog);
    assert.equal(config.env.mode, 'BATCH', 'job.mode is case-insensitive');
    assert.equal(config.env.name, 'SeaTunnel_Job');
    assert.equal(config.env.parallelism, 1);
    assert.equal(config.env.checkpointIntervalMs, undefined, 'BATCH without checkpoint.interval');
    assert.deepEqual(config.env.options, { 'job.mode': 'batch' });
    const [source] = config.sources;
    assert.equal(source?.output, 'fake');
    assert.deepEqual(source?.options, {
      'row.num': 100,
      schema: { fields: { name: 'string', age: 'int', card: 'int' } },
    });
    assert.deepEqual(config.sinks[0]?.inputs, ['fake']);
  });

  it('takes the 2.3.9 names, legacy env names, and wires an omitted input to the table made just before', () => {
    const config = readPipelineConfig(
      {
        env: {
          'job.mode': 'STREAMING',
          'execution.parallelism': 2,
          'execution.checkpoint.interval': '5000',
        },
        source: [{ plugin_name: 'FakeSource', plugin_output: 'a' }, { plugin_name: 'FakeSource' }],
        transform: [
          {
            plugin_name: 'Sql',
            plugin_input: 'a',
            plugin_output: 'b',
            parallelism: 3,
            query: 'select 1',
          },
        ],
        sink: [
          { plugin_name: 'console' },
          { plugin_name: 'LocalFile', source_table_name: 'a,b', path: '/tmp/x' },
        ],
      },
      catalog,
    );
    assert.equal(config.env.parallelism, 2);
    assert.equal(config.env.checkpointIntervalMs, 5000);
    assert.equal(config.env.options['execution.checkpoint.interval'], '5000');
    assert.equal(config.sources[1]?.output, DEFAULT_TABLE);
    assert.equal(config.sources[1]?.parallelism, 2);
    assert.equal(config.transforms[0]?.parallelism, 3);
    assert.deepEqual(config.sinks[0]?.inputs, ['b'], 'the last table made');
    assert.deepEqual(config.sinks[1]?.inputs, ['a', 'b']);
    assert.equal(config.sinks[1]?.name, 'LocalFile');
  });

  it('gives STREAMING checkpoints every 10 s unless told otherwise', () => {
    const config = readPipelineConfig(
      { ...DOC_EXAMPLE, env: { 'job.mode': 'STREAMING', 'job.name': 'fake_to_file' } },
      catalog,
    );
    assert.equal(config.env.checkpointIntervalMs, 10_000);
    assert.equal(config.env.name, 'fake_to_file');
  });

  it("answers bad configs with SeaTunnel's messages, naming the plugin and the option", () => {
    fails({ ...DOC_EXAMPLE, source: [] }, /^Miss <Source> config! Please check the config file\.$/);
    fails(
      { ...DOC_EXAMPLE, sink: undefined },
      /^Miss <Sink> config! Please check the config file\.$/,
    );
    fails(
      { ...DOC_EXAMPLE, env: { 'job.mode': 'SOMETIMES' } },
      /^Could not parse value for enum JobMode: 'SOMETIMES' \(env option job\.mode\)\. Expected one of: \[BATCH, STREAMING\]$/,
    );
    fails(
      { ...DOC_EXAMPLE, source: [{ plugin_name: 'Kafka' }] },
      /^Plugin PluginIdentifier\{engineType='seatunnel', pluginType='source', pluginName='Kafka'\} not found\. Known sources: FakeSource, LocalFile, Jdbc$/,
    );
    fails(
      { ...DOC_EXAMPLE, sink: [{ plugin_name: 'Console', source_table_name: 'nope' }] },
      /^Sink\[0\]-Console: source_table_name "nope" is not a table any source or transform makes; the tables are "fake"$/,
    );
    fails(
      { ...DOC_EXAMPLE, source: [{ result_table_name: 'x' }] },
      /^source\[0\]: plugin_name is required, one of FakeSource/,
    );
    fails(
      { ...DOC_EXAMPLE, env: { parallelism: 0 } },
      /^env option parallelism must be a whole number from 1 to 128 \(readers or writers per plugin, all in one engine process\), not 0$/,
    );
    fails(
      { ...DOC_EXAMPLE, env: { 'shade.identifier': 'aes' } },
      /shade\.identifier: 'aes' is not supported/,
    );
    fails(
      { ...DOC_EXAMPLE, source: { plugin_name: 'FakeSource' } },
      /"source" must be a list of plugins/,
    );
    fails(
      { ...DOC_EXAMPLE, sink: [{ plugin_name: 'Console', result_table_name: 'x' }] },
      /a sink makes no table/,
    );
    fails([], /must be an object with env, source, transform and sink/);
  });

  it('bounds every numeric setting by what the engine can do, with the bound in the message', () => {
    const fake = (options: Record<string, unknown>) => ({
      ...DOC_EXAMPLE,
      source: [{ ...DOC_EXAMPLE.source[0], ...options }],
    });
    fails(
      { ...DOC_EXAMPLE, env: { parallelism: 1_000_000_000 } },
      /^env option parallelism must be a whole number from 1 to 128 .*, not 1000000000$/,
    );
    fails(
      { ...DOC_EXAMPLE, env: { 'execution.parallelism': '129' } },
      /parallelism must be a whole number from 1 to 128/,
    );
    fails(
      fake({ parallelism: 129 }),
      /^Source\[0\]-FakeSource: parallelism must be a whole number from 1 to 128/,
    );
    fails(
      { ...DOC_EXAMPLE, env: { 'checkpoint.interval': 2 ** 31 } },
      /^env option checkpoint\.interval must be a whole number from 1 to 2147483647 \(Node's longest timer\)/,
    );
    fails({ ...DOC_EXAMPLE, env: { 'checkpoint.timeout': 2 ** 31 } }, /from 1 to 2147483647/);
    fails({ ...DOC_EXAMPLE, env: { 'job.retry.times': 100 } }, /job\.retry\.times .* from 0 to 99/);
    fails(
      { ...DOC_EXAMPLE, env: { 'job.retry.interval.seconds': 86_401 } },
      /job\.retry\.interval\.seconds .* from 0 to 86400/,
    );
    fails(
      { ...DOC_EXAMPLE, env: { 'read_limit.rows_per_second': 0 } },
      /read_limit\.rows_per_second must be a whole number from 1 to/,
    );
    fails(
      fake({ 'row.num': 1e12 }),
      /^Source\[0\]-FakeSource: option 'row\.num' must be a whole number from 0 to 2147483647 \(rows per reader\), not 1000000000000$/,
    );
    fails(fake({ 'split.num': 1001 }), /option 'split\.num' .* from 1 to 1000/);
    fails(
      fake({ 'split.read-interval': 2 ** 31 }),
      /option 'split\.read-interval' .* to 2147483647/,
    );
    fails(fake({ 'string.length': 'lots' }), /option 'string\.length' .* from 0 to 1048576/);
    fails(
      { ...DOC_EXAMPLE, sink: [{ plugin_name: 'console', 'log.print.delay.ms': 2 ** 31 }] },
      /^Sink\[0\]-console: option 'log\.print\.delay\.ms' .* to 2147483647/,
    );
    fails(
      {
        ...DOC_EXAMPLE,
        source: [
          { plugin_name: 'Jdbc', url: 'jdbc:sqlite:/x.db', query: 'select 1', fetch_size: 1e6 },
        ],
      },
      /option 'fetch_size' .* from 1 to 100000/,
    );
    // Within the bounds, and a `${VAR}` (empty while a stored config is checked) is left to the engine.
    const ok = readPipelineConfig(
      fake({ parallelism: 128, 'row.num': '2147483647', 'split.num': 1000 }),
      catalog,
    );
    assert.equal(ok.sources[0]?.parallelism, 128);
    const hocon = `source { FakeSource { row.num = \${ROWS} } }\nsink { Console {} }`;
    assert.equal(parsePipelineText(hocon, 'hocon', catalog, { ROWS: '' }).sources.length, 1);
    assert.throws(
      () => parsePipelineText(hocon, 'hocon', catalog, { ROWS: '99999999999' }),
      /option 'row\.num' must be a whole number from 0 to 2147483647/,
    );
  });

  it('reads the same config from HOCON and JSON text', () => {
    const hocon = `
      env { job.mode = "BATCH" }
      source { FakeSource { result_table_name = "fake", row.num = 100, schema = { fields { name = string, age = int, card = int } } } }
      sink { Console { source_table_name = [fake] } }`;
    const fromHocon = parsePipelineText(hocon, 'hocon', catalog);
    const fromJson = parsePipelineText(
      JSON.stringify({ ...DOC_EXAMPLE, env: { 'job.mode': 'BATCH' } }),
      'json',
      catalog,
    );
    assert.deepEqual(fromHocon, fromJson);
    assert.throws(
      () => parsePipelineText('{', 'json', catalog),
      /^Error: Invalid JSON format in request body\.$|Invalid JSON format in request body\./,
    );
    assert.throws(
      () => parsePipelineText('env {', 'hocon', catalog),
      (err: unknown) =>
        isConfigError(err) && /^Invalid HOCON config: unterminated object/.test(err.message),
    );
  });
});

describe('pipeline DAG', () => {
  it('numbers vertices sources first, links them by table, and splits independent parts into pipelines', () => {
    const config = readPipelineConfig(
      {
        source: [
          { plugin_name: 'FakeSource', result_table_name: 'a' },
          { plugin_name: 'FakeSource', result_table_name: 'b' },
        ],
        transform: [{ plugin_name: 'Filter', source_table_name: 'a', result_table_name: 'a2' }],
        sink: [
          { plugin_name: 'Console', source_table_name: 'a2' },
          { plugin_name: 'Console', source_table_name: 'b' },
        ],
      },
      catalog,
    );
    const dag = buildDag(config);
    assert.deepEqual(
      dag.vertices.map((v) => [v.id, v.plugin.role, v.plugin.index, v.pipeline]),
      [
        [1, 'source', 0, 1],
        [2, 'source', 1, 2],
        [3, 'transform', 0, 1],
        [4, 'sink', 0, 1],
        [5, 'sink', 1, 2],
      ],
    );
    assert.deepEqual(dag.edges, [
      { from: 1, to: 3, table: 'a' },
      { from: 3, to: 4, table: 'a2' },
      { from: 2, to: 5, table: 'b' },
    ]);
  });
});
