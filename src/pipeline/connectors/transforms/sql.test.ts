// Tests of the Sql transform: what a query selects, filters, names and types, what it rejects, and a
// run through the engine.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readPipelineConfig } from '../../config/pipeline-config.ts';
import { formatDataType, parseFields, type Field } from '../../data-type.ts';
import { execute } from '../../engine/executor.ts';
import { type ConnectorContext, type Transform } from '../connector.ts';
import type { ConnectorRegistry } from '../registry.ts';
import { consoleSink } from '../sinks/console-sink.ts';
import { fakeSource } from '../sources/fake-source.ts';
import { sqlTransform } from './sql.ts';
import { isConfigError } from '../../config-error.ts';

const INPUT = parseFields({
  id: 'int',
  name: 'string',
  price: 'double',
  big: 'bigint',
  ts: 'timestamp',
  c_row: { c_inner: { col: 'string' } },
});
const ROW = [7, 'anna', 2.5, 10_000_000_000, '2024-05-01T10:20:30', [['deep']]];

const env = readPipelineConfig(
  { source: [{ plugin_name: 'FakeSource' }], sink: [{ plugin_name: 'Console' }] },
  { names: (role) => (role === 'source' ? ['FakeSource'] : ['Console']) },
).env;

function make(query: unknown, input: readonly Field[] = INPUT, log: string[] = []): Transform {
  const ctx: ConnectorContext = {
    plugin: {
      role: 'transform',
      index: 0,
      name: 'Sql',
      output: 'out',
      inputs: ['fake'],
      parallelism: 1,
      options: (query === undefined ? {} : { query }) as never,
    },
    env,
    jobId: '1',
    log: (line) => log.push(line),
  };
  return sqlTransform.create(ctx, input);
}

/** The output values of one row, or undefined when the row is filtered out. */
function run(query: string, values: unknown[] = ROW): unknown[] | undefined {
  const out = make(query).apply({ kind: 'INSERT', table: 'fake', values });
  assert.ok(out.length <= 1);
  return out[0]?.values;
}

/** The single selected value of `SELECT <expr> FROM fake`. */
const value = (expr: string, values: unknown[] = ROW) =>
  run(`SELECT ${expr} FROM fake`, values)?.[0];

const schema = (query: string) =>
  make(query).fields.map((f) => `${f.name} ${formatDataType(f.type)}`);

const rejects = (query: string, message: RegExp) =>
  assert.throws(
    () => make(query),
    (err: unknown) =>
      isConfigError(err) &&
      err.message.startsWith('SQL validate failed: ') &&
      message.test(err.message),
  );

describe('Sql transform', () => {
  it('selects columns, aliases and *, in order, keeping kind and table', () => {
    const t = make('SELECT name, id AS key FROM fake');
    assert.deepEqual(schema('SELECT name, id AS key FROM fake'), ['name string', 'key int']);
    assert.deepEqual(t.apply({ kind: 'UPDATE_AFTER', table: 'fake', values: ROW }), [
      { kind: 'UPDATE_AFTER', table: 'fake', values: ['anna', 7] },
    ]);
    assert.deepEqual(run('SELECT * FROM fake'), ROW);
    assert.deepEqual(run('SELECT id * 2 AS twice, *, name FROM fake'), [14, ...ROW, 'anna']);
    assert.deepEqual(
      make('SELECT *, id FROM fake').fields.map((f) => f.name),
      [...INPUT.map((f) => f.name), 'id'],
    );
    assert.deepEqual(run('SELECT fake.id, fake.* FROM fake'), [7, ...ROW]);
  });

  it('reads quoted and backticked names, and unquoted names in another case', () => {
    const input = parseFields({ 'my col': 'string', Name: 'string' });
    const t = make('SELECT "my col", `Name` AS b, name AS c FROM fake', input);
    assert.deepEqual(t.apply({ kind: 'INSERT', table: 'fake', values: ['x', 'y'] })[0]?.values, [
      'x',
      'y',
      'y',
    ]);
    assert.deepEqual(
      t.fields.map((f) => f.name),
      ['my col', 'b', 'c'],
    );
  });

  it('reads fields of nested rows, named after the last part', () => {
    assert.deepEqual(schema('SELECT c_row.c_inner.col FROM fake'), ['col string']);
    assert.equal(value('c_row.c_inner.col'), 'deep');
    assert.equal(value('c_row.c_inner.col', [...ROW.slice(0, 5), null]), null);
    assert.deepEqual(schema('SELECT c_row.c_inner FROM fake'), ['c_inner row<col string>']);
    rejects('SELECT c_row.nope FROM fake', /column "c_row.nope" not found; its fields are c_inner/);
    rejects('SELECT name.x FROM fake', /column "name" is string, not a row/);
  });

  it('names expressions without an alias after their text', () => {
    assert.deepEqual(
      schema(
        "SELECT id + 1, UPPER(name), CAST(id AS bigint), 'x', CASE WHEN id > 1 THEN 1 END, (id + 1) * 2 FROM fake",
      ),
      [
        'id + 1 int',
        'UPPER(name) string',
        'CAST(id AS BIGINT) bigint',
        "'x' string",
        'CASE WHEN id > 1 THEN 1 END int',
        '(id + 1) * 2 int',
      ],
    );
  });

  it('types literals and arithmetic: integers stay integers, anything with a double is double', () => {
    assert.deepEqual(
      schema(
        'SELECT 1 AS a, 3000000000 AS b, 1.5 AS c, TRUE AS d, NULL AS e, id + 1 AS f, id + big AS g, id * price AS h, id / 2 AS i, big % 7 AS j, -id AS k FROM fake',
      ),
      [
        'a int',
        'b bigint',
        'c double',
        'd boolean',
        'e null',
        'f int',
        'g bigint',
        'h double',
        'i int',
        'j bigint',
        'k int',
      ],
    );
    assert.deepEqual(
      run(
        'SELECT id + 1, id - 10, id * price, id / 2, price / 2, id % 4, big + id, -id, 2 + 3 * 4, (2 + 3) * 4 FROM fake',
      ),
      [8, -3, 17.5, 3, 1.25, 3, 10_000_000_007, -7, 14, 20],
    );
    assert.equal(value("'it''s'"), "it's");
    assert.equal(value("'a' || name"), 'aanna');
  });

  it('follows SQL null rules: null in arithmetic is null, comparisons with null are not true', () => {
    const withNull = [null, null, 2.5, 1, null, null];
    assert.deepEqual(
      run("SELECT id + 1, -id, id = 1, name || 'x', NOT (id = 1) FROM fake", withNull),
      [null, null, null, null, null],
    );
    assert.equal(value('id / 0'), null);
    assert.equal(value('id % 0'), null);
    assert.equal(run('SELECT id FROM fake WHERE id = NULL'), undefined);
    assert.equal(run('SELECT id FROM fake WHERE id <> NULL'), undefined);
    assert.equal(run('SELECT id FROM fake WHERE NOT (id > 1)', withNull), undefined);
    assert.deepEqual(run('SELECT id FROM fake WHERE id IS NULL', withNull), [null]);
    assert.equal(run('SELECT id FROM fake WHERE id IS NOT NULL', withNull), undefined);
    assert.equal(value('NULL AND FALSE'), false);
    assert.equal(value('NULL AND TRUE'), null);
    assert.equal(value('NULL OR TRUE'), true);
    assert.equal(value('NULL OR FALSE'), null);
    assert.equal(value('id IN (1, NULL)'), null);
    assert.equal(value('id IN (7, NULL)'), true);
    assert.equal(value('id NOT IN (1, NULL)'), null);
    assert.equal(value('id BETWEEN NULL AND 1'), false);
    assert.equal(value('id BETWEEN NULL AND 10'), null);
    assert.equal(value("name LIKE 'a%'", withNull), null);
  });

  it('filters rows with WHERE: comparisons, boolean logic, IN, BETWEEN, LIKE', () => {
    const keeps = (where: string) => run(`SELECT id FROM fake WHERE ${where}`) !== undefined;
    for (const where of [
      'id = 7',
      'id <> 8',
      'id != 8',
      'id < 8',
      'id <= 7',
      'id > 6',
      'id >= 7',
      "name = 'anna'",
      "name > 'a'",
      'id > 1 AND price < 3',
      'id > 100 OR price < 3',
      'NOT id > 100',
      'id IN (1, 7, 9)',
      'id NOT IN (1, 2)',
      'id BETWEEN 1 AND 7',
      'id NOT BETWEEN 8 AND 9',
      "name LIKE 'a_n%'",
      "name NOT LIKE 'b%'",
      "name LIKE '%nn%'",
      'name IS NOT NULL',
      "ts > '2024-01-01'",
    ]) {
      assert.equal(keeps(where), true, where);
    }
    for (const where of [
      'id = 8',
      'id > 7',
      'id IN (1, 2)',
      'id BETWEEN 8 AND 9',
      "name LIKE 'b%'",
      "name LIKE 'ANNA'",
      'name IS NULL',
      'id > 1 AND price > 3',
      'FALSE',
    ]) {
      assert.equal(keeps(where), false, where);
    }
    assert.deepEqual(
      make('SELECT id FROM fake WHERE id > 1').apply({
        kind: 'INSERT',
        table: 'fake',
        values: [0],
      }),
      [],
    );
  });

  it('evaluates CASE, typed as its first branch', () => {
    const q =
      "SELECT CASE WHEN id > 5 THEN 'big' WHEN id > 1 THEN 'mid' ELSE 'small' END AS size FROM fake";
    assert.deepEqual(schema(q), ['size string']);
    assert.equal(run(q)?.[0], 'big');
    assert.equal(run(q, [3])?.[0], 'mid');
    assert.equal(run(q, [null])?.[0], 'small');
    assert.equal(value("CASE id WHEN 1 THEN 'one' WHEN 7 THEN 'seven' END"), 'seven');
    assert.equal(value("CASE id WHEN 1 THEN 'one' END"), null);
    assert.deepEqual(schema('SELECT CASE WHEN id > 1 THEN NULL ELSE price END AS x FROM fake'), [
      'x double',
    ]);
    assert.deepEqual(schema('SELECT CASE WHEN id > 1 THEN id ELSE price END AS x FROM fake'), [
      'x int',
    ]);
  });

  it('casts to string, integers, double, float, decimal, boolean, date and timestamp', () => {
    assert.deepEqual(
      schema(
        'SELECT CAST(id AS string) a, CAST(id AS varchar) b, CAST(price AS int) c, CAST(id AS integer) d, CAST(id AS bigint) e, CAST(id AS double) f, CAST(id AS float) g, CAST(price AS decimal(10, 2)) h, CAST(id AS boolean) i, CAST(ts AS date) j, CAST(ts AS timestamp) k FROM fake',
      ),
      [
        'a string',
        'b string',
        'c int',
        'd int',
        'e bigint',
        'f double',
        'g float',
        'h decimal(10, 2)',
        'i boolean',
        'j date',
        'k timestamp',
      ],
    );
    assert.equal(value('CAST(id AS string)'), '7');
    assert.equal(value('CAST(price AS int)'), 2);
    assert.equal(value("CAST(' 42 ' AS bigint)"), 42);
    assert.equal(value("CAST('2.5' AS double)"), 2.5);
    assert.equal(value('CAST(price AS decimal(10, 2))'), '2.50');
    assert.equal(value("CAST('true' AS boolean)"), true);
    assert.equal(value('CAST(0 AS boolean)'), false);
    assert.equal(value('CAST(ts AS date)'), '2024-05-01');
    assert.equal(value("CAST('2024-05-01 10:20:30' AS timestamp)"), '2024-05-01T10:20:30');
    assert.equal(value("CAST('2024-05-01' AS timestamp)"), '2024-05-01T00:00:00');
    assert.equal(value('CAST(NULL AS int)'), null);
    assert.throws(() => value("CAST('abc' AS int)"), /cannot CAST "abc" AS int/);
    rejects('SELECT CAST(id AS json) FROM fake', /CAST to JSON is not supported/);
  });

  it('has the string functions', () => {
    const cases: Array<[string, unknown]> = [
      ["CONCAT(name, '-', id)", 'anna-7'],
      ["CONCAT(name, NULL, '!')", 'anna!'],
      ['UPPER(name)', 'ANNA'],
      ["LOWER('AbC')", 'abc'],
      ['SUBSTRING(name, 2)', 'nna'],
      ['SUBSTRING(name, 2, 2)', 'nn'],
      ['SUBSTR(name, -2)', 'na'],
      ['SUBSTRING(name, 0, 2)', 'a'],
      ["TRIM('  x  ')", 'x'],
      ["LTRIM('  x  ')", 'x  '],
      ["RTRIM('  x  ')", '  x'],
      ["TRIM(BOTH 'a' FROM name)", 'nn'],
      ["TRIM(LEADING 'a' FROM name)", 'nna'],
      ["TRIM(TRAILING 'a' FROM name)", 'ann'],
      ["REPLACE(name, 'n', 'N')", 'aNNa'],
      ["REPLACE(name, 'n')", 'aa'],
      ['LENGTH(name)', 4],
      ['CHAR_LENGTH(name)', 4],
      ["LPAD(id, 3, '0')", '007'],
      ["RPAD(name, 6, '*')", 'anna**'],
      ['LPAD(name, 2)', 'an'],
      ["REGEXP_REPLACE(name, 'n+', '<$0>')", 'a<nn>a'],
      ["REGEXP_REPLACE(name, '(a)', '[$1]')", '[a]nn[a]'],
      ["REGEXP_REPLACE(name, 'A', 'x', 'i')", 'xnnx'],
      ["REGEXP_REPLACE(name, '(?<n>n+)', '${n}!')", 'ann!a'],
      ["REGEXP_REPLACE(name, 'n', '\\$')", 'a$$a'],
    ];
    for (const [expr, expected] of cases) assert.equal(value(expr), expected, expr);
    assert.deepEqual(schema('SELECT UPPER(id), LENGTH(name), CONCAT(id) FROM fake'), [
      'UPPER(id) string',
      'LENGTH(name) bigint',
      'CONCAT(id) string',
    ]);
    assert.equal(value('UPPER(name)', [7, null]), null);
  });

  it('has the numeric functions', () => {
    const cases: Array<[string, unknown]> = [
      ['ABS(-3)', 3],
      ['ABS(-2.5)', 2.5],
      ['ROUND(2.5)', 3],
      ['ROUND(-2.5)', -3],
      ['ROUND(1.005, 2)', 1.01],
      ['ROUND(1234, -2)', 1200],
      ['CEIL(price)', 3],
      ['CEILING(-2.5)', -2],
      ['FLOOR(price)', 2],
      ['MOD(id, 4)', 3],
      ['MOD(id, 0)', null],
      ['POWER(2, 10)', 1024],
      ['SQRT(16)', 4],
      ['SQRT(-1)', null],
    ];
    for (const [expr, expected] of cases) assert.equal(value(expr), expected, expr);
    assert.deepEqual(
      schema(
        'SELECT ABS(id), ABS(price), ROUND(price, 1), MOD(big, 2), POWER(id, 2), FLOOR(id) FROM fake',
      ),
      [
        'ABS(id) int',
        'ABS(price) double',
        'ROUND(price, 1) double',
        'MOD(big, 2) bigint',
        'POWER(id, 2) double',
        'FLOOR(id) int',
      ],
    );
  });

  it('has the null functions', () => {
    const withNull = [null, null, 2.5];
    assert.equal(value("COALESCE(name, 'none')", withNull), 'none');
    assert.equal(value("COALESCE(NULL, name, 'none')"), 'anna');
    assert.equal(value('COALESCE(NULL, NULL)'), null);
    assert.equal(value('IFNULL(id, 0)', withNull), 0);
    assert.equal(value('IFNULL(id, 0)'), 7);
    assert.equal(value('NULLIF(id, 7)'), null);
    assert.equal(value('NULLIF(id, 8)'), 7);
    assert.deepEqual(schema('SELECT COALESCE(NULL, id) AS c, IFNULL(name, 1) AS i FROM fake'), [
      'c int',
      'i string',
    ]);
  });

  it('has UUID and the time functions', () => {
    assert.match(
      String(value('UUID()')),
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.notEqual(value('UUID()'), value('UUID()'));
    assert.match(String(value('NOW()')), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?$/);
    assert.match(String(value('CURRENT_TIMESTAMP')), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/);
    assert.deepEqual(schema('SELECT NOW() AS n, CURRENT_TIMESTAMP AS c FROM fake'), [
      'n timestamp',
      'c timestamp',
    ]);
    assert.equal(value("FROM_UNIXTIME(0, 'yyyy-MM-dd HH:mm:ss', 'UTC')"), '1970-01-01 00:00:00');
    assert.equal(
      value("FROM_UNIXTIME(1714558830, 'yyyy/MM/dd HH:mm', 'Asia/Tokyo')"),
      '2024/05/01 19:20',
    );
    assert.match(String(value('FROM_UNIXTIME(0)')), /^19(69|70)-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    assert.equal(value("DATEDIFF('2024-01-01', '2024-03-01')"), 60);
    assert.equal(value("DATEDIFF(DAY, '2024-01-01T23:00:00', '2024-01-02 01:00:00')"), 1);
    assert.equal(value("DATEDIFF(HOUR, '2024-01-01T23:00:00', ts)"), 2891);
    assert.equal(value("DATEDIFF(MONTH, '2023-12-31', ts)"), 5);
    assert.equal(value("DATEDIFF('YEAR', '2020-06-01', ts)"), 4);
    assert.equal(value("FORMATDATETIME(ts, 'yyyy-MM-dd HH:mm:ss')"), '2024-05-01 10:20:30');
    assert.equal(value("FORMATDATETIME(ts, 'dd.MM.yy, EEE h a')"), '01.05.24, Wed 10 AM');
    assert.equal(value("FORMATDATETIME('2024-05-01 10:20:30.5', 'HH:mm:ss.SSS')"), '10:20:30.500');
    assert.throws(
      () => value("FORMATDATETIME('soon', 'yyyy')"),
      /"soon" is not a date or timestamp/,
    );
    rejects(
      "SELECT FORMATDATETIME(ts, 'yyyy-qq') FROM fake",
      /FORMATDATETIME: unknown pattern letter 'q'/,
    );
    rejects(
      "SELECT REGEXP_REPLACE(name, '(', 'x') FROM fake",
      /REGEXP_REPLACE: Invalid regular expression/,
    );
    rejects("SELECT REGEXP_REPLACE(name, 'a', '$x') FROM fake", /illegal group reference/);
    rejects('SELECT DATEDIFF(WEEKS, ts, ts) FROM fake', /DATEDIFF unit WEEKS is not one of YEAR/);
  });

  it('rejects what SeaTunnel does not allow, saying what', () => {
    const cases: Array<[string, RegExp]> = [
      ["INSERT INTO fake VALUES (1, 'a')", /only SELECT is allowed, not INSERT/],
      ['DELETE FROM fake', /only SELECT is allowed, not DELETE/],
      ['SELECT id FROM fake; SELECT name FROM fake', /one SELECT statement, not 2/],
      ['SELECT id FROM (SELECT id FROM fake) t', /sub-selects are not allowed/],
      ['SELECT id FROM fake WHERE id IN (SELECT id FROM fake)', /sub-selects are not allowed/],
      ['SELECT (SELECT 1) FROM fake', /sub-selects are not allowed/],
      ['SELECT id FROM db.fake', /a schema on the table is not allowed/],
      ['SELECT id FROM fake AS f', /an alias on the table is not allowed/],
      ['SELECT id FROM fake f', /an alias on the table is not allowed/],
      ['SELECT id FROM fake JOIN other ON fake.id = other.id', /JOIN is not allowed/],
      ['SELECT id FROM fake, other', /JOIN is not allowed/],
      ['SELECT id FROM fake GROUP BY id', /GROUP BY is not allowed/],
      ['SELECT COUNT(*) FROM fake', /aggregate functions such as COUNT are not allowed/],
      ['SELECT SUM(id) FROM fake', /aggregate functions such as SUM are not allowed/],
      ['SELECT id FROM fake ORDER BY id', /ORDER BY is not allowed/],
      ['SELECT id FROM fake LIMIT 1', /LIMIT\/OFFSET is not allowed/],
      ['SELECT id FROM fake OFFSET 1', /LIMIT\/OFFSET is not allowed/],
      ['SELECT id FROM fake HAVING id > 1', /HAVING is not allowed/],
      ['SELECT DISTINCT id FROM fake', /DISTINCT is not allowed/],
      ['SELECT id FROM fake UNION SELECT id FROM fake', /UNION is not allowed/],
      ['WITH x AS (SELECT 1) SELECT id FROM x', /WITH is not allowed/],
      ['SELECT 1', /the query must read a table/],
      ['SELECT id FROM', /cannot parse the query/],
      ["SELECT id FROM fake WHERE name LIKE 'a!%' ESCAPE '!'", /ESCAPE is not supported/],
      ['SELECT ROW_NUMBER() OVER () FROM fake', /OVER|window/i],
    ];
    for (const [query, message] of cases) rejects(query, message);
  });

  it('names unknown columns and functions with the input columns', () => {
    rejects(
      'SELECT nope FROM fake',
      /column "nope" not found; the input columns are id, name, price, big, ts, c_row/,
    );
    rejects('SELECT id FROM fake WHERE nope > 1', /column "nope" not found/);
    rejects(
      'SELECT FOO(id) FROM fake',
      /function FOO is not supported; the functions are CONCAT, .*; the input columns are id, name/,
    );
    rejects('SELECT UPPER(name, id) FROM fake', /UPPER takes 1 argument, not 2/);
    rejects('SELECT SUBSTRING(name) FROM fake', /SUBSTRING takes 2 to 3 arguments, not 1/);
    rejects('SELECT UUID(id) FROM fake', /UUID takes 0 arguments, not 1/);
    assert.throws(() => make(undefined), /the options\('query'\) are required/);
  });

  it('only warns when FROM names a table that is not its input', () => {
    const log: string[] = [];
    const t = make('SELECT id FROM elsewhere', INPUT, log);
    assert.equal(log.length, 1);
    assert.match(
      log[0] as string,
      /reads table "elsewhere", which is not this transform's input \("fake"\)/,
    );
    assert.deepEqual(t.apply({ kind: 'INSERT', table: 'fake', values: ROW })[0]?.values, [7]);
    const quiet: string[] = [];
    make('SELECT id FROM FAKE', INPUT, quiet);
    assert.deepEqual(quiet, []);
  });

  it('runs in a pipeline: FakeSource rows through Sql to Console', async () => {
    const registry: ConnectorRegistry = {
      names: (role) =>
        role === 'source' ? ['FakeSource'] : role === 'transform' ? ['Sql'] : ['Console'],
      source: () => fakeSource,
      transform: () => sqlTransform,
      sink: () => consoleSink,
    };
    const config = readPipelineConfig(
      {
        source: [
          {
            plugin_name: 'FakeSource',
            result_table_name: 'fake',
            'split.read-interval': 0,
            schema: { fields: { id: 'int', name: 'string', age: 'int' } },
            rows: [
              { kind: 'INSERT', fields: [1, 'anna', 30] },
              { kind: 'INSERT', fields: [2, 'bob', 17] },
              { kind: 'UPDATE_AFTER', fields: [3, null, 45] },
            ],
          },
        ],
        transform: [
          {
            plugin_name: 'Sql',
            source_table_name: 'fake',
            result_table_name: 'adults',
            query:
              "SELECT id, UPPER(name) AS name, age + 1 AS next_age, COALESCE(name, 'unknown') AS who FROM fake WHERE age >= 18",
          },
        ],
        sink: [{ plugin_name: 'Console', source_table_name: 'adults' }],
      },
      registry,
    );
    const lines: string[] = [];
    const result = await execute({ config, jobId: '1', registry, log: (l) => lines.push(l) }).done;
    assert.equal(result.status, 'FINISHED', result.error);
    assert.deepEqual(lines, [
      'output rowType: id<INT>, name<STRING>, next_age<INT>, who<STRING>',
      'subtaskIndex=0  rowIndex=1:  SeaTunnelRow#tableId=adults SeaTunnelRow#kind=INSERT : 1, ANNA, 31, anna',
      'subtaskIndex=0  rowIndex=2:  SeaTunnelRow#tableId=adults SeaTunnelRow#kind=UPDATE_AFTER : 3, null, 46, unknown',
    ]);
    assert.deepEqual(result.metrics.TableSourceReceivedCount, { fake: 3 });
    assert.deepEqual(result.metrics.TableSinkWriteCount, { adults: 2 });
  });
});
