// The SQL config form read into the document the JSON and HOCON forms give: the config comment, the
// WITH options (text, escaped quotes, HOCON sub-configs), CREATE … AS and INSERT INTO as Sql
// transforms, and SeaTunnel's messages for what it refuses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectors } from '../connectors/registry.ts';
import { parsePipelineText } from './pipeline-config.ts';
import { parseSqlConfig } from './sql-config.ts';
import { isConfigError } from '../config-error.ts';

const SOURCE = `CREATE TABLE fake WITH (
  'connector' = 'FakeSource',
  'type' = 'source',
  'row.num' = '10',
  'schema' = '{ fields { id = int, name = string } }'
);`;
const SINK = `CREATE TABLE out WITH ('connector' = 'Console', 'type' = 'sink');`;

describe('parseSqlConfig', () => {
  it("reads the documentation's example: env from the config comment, a source, a sink and the INSERT as a Sql transform", () => {
    const doc = parseSqlConfig(`/* config
env {
  parallelism = 1
  job.mode = "BATCH"
}
*/

-- a comment line
${SOURCE}
${SINK}

INSERT INTO out SELECT id, name FROM fake WHERE id > 2; -- trailing comment
`);
    assert.deepEqual(doc, {
      env: { parallelism: 1, 'job.mode': 'BATCH' },
      source: [
        {
          plugin_name: 'FakeSource',
          'row.num': '10',
          schema: { fields: { id: 'int', name: 'string' } },
          plugin_output: 'fake',
        },
      ],
      transform: [
        {
          plugin_name: 'Sql',
          plugin_input: 'fake',
          plugin_output: 'fake__temp1',
          query: 'SELECT id, name FROM fake WHERE id > 2',
        },
      ],
      sink: [{ plugin_name: 'Console', plugin_input: 'fake__temp1' }],
    });
  });

  it('CREATE TABLE … AS makes a named Sql transform; SELECT table feeds a table as it is', () => {
    const doc = parseSqlConfig(`${SOURCE}
${SINK}
CREATE TABLE adults AS SELECT id FROM fake WHERE id >= 18;
INSERT INTO out SELECT adults;
INSERT INTO out SELECT fake;`);
    assert.deepEqual(doc.transform, [
      {
        plugin_name: 'Sql',
        plugin_input: 'fake',
        plugin_output: 'adults',
        query: 'SELECT id FROM fake WHERE id >= 18',
      },
    ]);
    assert.deepEqual(doc.sink, [
      { plugin_name: 'Console', plugin_input: 'adults' },
      { plugin_name: 'Console', plugin_input: 'fake' },
    ]);
  });

  it("keeps quotes, semicolons and FROM inside quoted text; '' is one quote", () => {
    const doc = parseSqlConfig(`CREATE TABLE src WITH ('connector'='Jdbc','type'='source',
      'query' = 'select * from t where name = ''Joy; Ding''', 'url' = 'jdbc:sqlite:/tmp/x.db');
CREATE TABLE out WITH ('connector'='Console','type'='sink');
INSERT INTO out SELECT 'from nowhere' AS note, id FROM src;`);
    assert.equal(
      (doc.source as Array<Record<string, unknown>>)[0]?.query,
      "select * from t where name = 'Joy; Ding'",
    );
    assert.deepEqual((doc.transform as Array<Record<string, unknown>>)[0]?.plugin_input, 'src');
  });

  it('leaves out a sink table nobody inserts into, and substitutes ${var} in the config comment', () => {
    const doc = parseSqlConfig(
      `/* config
env { job.name = \${name} }
*/
${SOURCE}
${SINK}
CREATE TABLE unused WITH ('connector' = 'LocalFile', 'type' = 'sink', 'path' = '/tmp/x');
INSERT INTO out SELECT fake;`,
      { name: 'nightly' },
    );
    assert.deepEqual(doc.env, { 'job.name': 'nightly' });
    assert.deepEqual(doc.sink, [{ plugin_name: 'Console', plugin_input: 'fake' }]);
  });

  it("answers SeaTunnel's messages for what it refuses", () => {
    const refused: Array<[string, RegExp]> = [
      [SINK, /^The SQL config must contain at least one source table/],
      [
        `${SOURCE}${SINK}`,
        /^The SQL config must contain `INSERT INTO \.\.\. SELECT \.\.\.` syntax$/,
      ],
      [`${SOURCE}${SOURCE}`, /^Table name duplicate: fake$/],
      [`CREATE TABLE x WITH ('type' = 'source');`, /^The connector of option is none/],
      [
        `CREATE TABLE x WITH ('connector' = 'Console');`,
        /option 'type' must be 'source' or 'sink'/,
      ],
      [
        `${SOURCE}${SINK} INSERT INTO out (id) SELECT id FROM fake;`,
        /^Insert sql must not have columns/,
      ],
      [`${SOURCE}${SINK} INSERT INTO nope SELECT fake;`, /^The sink table\[nope\] is not found$/],
      [
        `${SOURCE}${SINK} INSERT INTO out SELECT id FROM nope;`,
        /^The source table\[nope\] is not found/,
      ],
      [`${SOURCE}${SINK} INSERT INTO out SELECT 1;`, /^Source table must be specified in SQL/],
      [`${SOURCE}${SINK} DELETE FROM fake;`, /^Unsupported SQL syntax: DELETE FROM fake/],
      [`CREATE TABLE x WITH ('connector' = 'FakeSource', 'type');`, /'type' needs = and a value/],
      [
        `CREATE TABLE x WITH ('connector' = 'FakeSource', 'schema' = '{ a = [1, }');`,
        /option 'schema' is not valid HOCON/,
      ],
      [`${SOURCE} /* open`, /a \/\* comment is not closed/],
      [`CREATE TABLE x WITH ('connector' = 'Fake`, /quoted text' is not closed/],
    ];
    for (const [text, message] of refused) {
      assert.throws(
        () => parseSqlConfig(text),
        (err: Error) => {
          assert.ok(isConfigError(err), `${text}: ${err.message}`);
          assert.match(err.message, message, text);
          return true;
        },
      );
    }
  });

  it('reaches the engine through parsePipelineText, with plugin names in any case', () => {
    const config = parsePipelineText(
      `CREATE TABLE fake WITH ('connector' = 'fakesource', 'type' = 'source',
         'schema' = '{ fields { id = int } }');
       CREATE TABLE out WITH ('connector' = 'console', 'type' = 'sink');
       INSERT INTO out SELECT id + 1 AS next FROM fake;`,
      'sql',
      connectors,
    );
    assert.deepEqual(
      [...config.sources, ...config.transforms, ...config.sinks].map((p) => [p.role, p.name]),
      [
        ['source', 'fakesource'],
        ['transform', 'Sql'],
        ['sink', 'console'],
      ],
    );
    assert.throws(
      () => parsePipelineText('INSERT INTO x SELECT y;', 'sql', connectors),
      (err: Error) => isConfigError(err) && /sink table\[x\]/.test(err.message),
    );
  });
});
