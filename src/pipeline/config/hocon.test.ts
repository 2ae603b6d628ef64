import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHocon } from './hocon.ts';
import { isConfigError } from '../config-error.ts';

const FAKE_TO_FILE = `
# the config of SeaTunnel's RestApiIT (stream_fakesource_to_file.conf), trimmed
env {
  job.mode = "STREAMING"
  checkpoint.interval = 5000
  parallelism: 1
}

source {
  FakeSource {
    result_table_name = "fake"
    row.num = 100
    schema = {
      fields {
        name = "string"
        age = "int"
        price = "decimal(30, 8)"
        tags = "array<int>"
        extra = "map<string, array<int>>"
      }
    }
  }
  // a second source of the same kind stays a second source
  FakeSource {
    result_table_name = fake2
    rows = [
      { kind = INSERT, fields = ["A", 1] }
      { kind = DELETE, fields = ["B", 2] }
    ]
  }
}

transform {
  Sql {
    source_table_name = "fake"
    result_table_name = "sql"
    query = """select name, age + 1 as age from "fake" where age > 10"""
  }
}

sink {
  LocalFile {
    source_table_name = [fake, sql]
    path = /tmp/seatunnel/out
    file_format_type = json
  }
}
`;

describe('parseHocon', () => {
  it("reads SeaTunnel's blocks: literal dotted keys, repeated plugins kept as a list", () => {
    const doc = parseHocon(FAKE_TO_FILE);
    assert.deepEqual(doc.env, {
      'job.mode': 'STREAMING',
      'checkpoint.interval': 5000,
      parallelism: 1,
    });
    const source = doc.source as Array<Record<string, unknown>>;
    assert.equal(source.length, 2);
    assert.equal(source[0]?.plugin_name, 'FakeSource');
    assert.equal(source[0]?.['row.num'], 100);
    assert.deepEqual(source[0]?.schema, {
      fields: {
        name: 'string',
        age: 'int',
        price: 'decimal(30, 8)',
        tags: 'array<int>',
        extra: 'map<string, array<int>>',
      },
    });
    assert.deepEqual(source[1]?.rows, [
      { kind: 'INSERT', fields: ['A', 1] },
      { kind: 'DELETE', fields: ['B', 2] },
    ]);
    assert.equal(source[1]?.result_table_name, 'fake2');
    const [sql] = doc.transform as Array<Record<string, unknown>>;
    assert.equal(sql?.query, 'select name, age + 1 as age from "fake" where age > 10');
    const [sink] = doc.sink as Array<Record<string, unknown>>;
    assert.deepEqual(sink, {
      plugin_name: 'LocalFile',
      source_table_name: ['fake', 'sql'],
      path: '/tmp/seatunnel/out',
      file_format_type: 'json',
    });
  });

  it('reads a braced root, commas, colons, escapes and values of every kind', () => {
    const doc = parseHocon(
      '{ a: 1, b = -2.5e3, c = true, d = null, e = "x\\ty\\u0041", f = [1, "two", [3]], g { h = 1 } }',
    );
    assert.deepEqual(doc, {
      a: 1,
      b: -2500,
      c: true,
      d: null,
      e: 'x\tyA',
      f: [1, 'two', [3]],
      g: { h: 1 },
    });
  });

  it('keeps long ids as text and joins unquoted words with their spaces', () => {
    const doc = parseHocon(
      'id = 733584788375666689\nname = fake to file  \nurl = "jdbc:postgresql://db:5432/app"',
    );
    assert.equal(doc.id, '733584788375666689');
    assert.equal(doc.name, 'fake to file');
    assert.equal(doc.url, 'jdbc:postgresql://db:5432/app');
  });

  it('substitutes ${var}, ${var:default} and ${?var}', () => {
    const doc = parseHocon(
      'a = ${HOME_DIR}/out\nb = ${MISSING:fallback}\nc = ${?MISSING}\nd = "${NAME}"',
      {
        variables: { HOME_DIR: '/home/x', NAME: 'n' },
      },
    );
    // Inside quotes a substitution is plain text, as in HOCON.
    assert.deepEqual(doc, { a: '/home/x/out', b: 'fallback', d: '${NAME}' });
  });

  it('merges a repeated object key outside plugin blocks and lets a later scalar win', () => {
    const doc = parseHocon('env { a = 1 }\nenv { b = 2 }\nx = 1\nx = 2');
    assert.deepEqual(doc, { env: { a: 1, b: 2 }, x: 2 });
  });

  it('says where and what is wrong', () => {
    const cases: Array<[string, RegExp]> = [
      ['env {\n  job.mode = "BATCH"\n', /unterminated object: missing \} \(line 3/],
      ['a = "open', /unterminated string \(line 1, column 5\)/],
      [
        'a = ${NOPE}',
        /unresolved substitution \$\{NOPE\}: give it as a variable \(e\.g\. -i NOPE=…\)/,
      ],
      ['a b', /expected = or : or \{ after "a", found "b"/],
      ['source { FakeSource = 1 }', /"FakeSource" must be a plugin block/],
      ['a = [1, 2', /unterminated list/],
      ['}', /unexpected \}/],
      ['a += [1]', /\+= is not supported/],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => parseHocon(text),
        (err: unknown) => isConfigError(err) && message.test(err.message),
        text,
      );
    }
  });
});
