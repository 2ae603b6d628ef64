// The Jdbc options that need no database: url and driver parsing, and partition ranges.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { optionReader } from '../connector.ts';
import { jdbcSink } from '../sinks/jdbc-sink.ts';
import { jdbcSource, partitionRanges } from '../sources/jdbc-source.ts';
import { numberPlaceholders } from './driver.ts';
import { parseJdbcUrl, readJdbcTarget } from './jdbc-url.ts';
import { sinkContext, sourceContext } from '../../../../test/support/jdbc.ts';
import { isConfigError } from '../../config-error.ts';

const auth = { connectTimeoutMs: 5000 };

describe('Jdbc url', () => {
  it('reads a SQLite file url and refuses an in-memory one', () => {
    assert.deepEqual(parseJdbcUrl('jdbc:sqlite:/data/app.db', 'Jdbc', auth), {
      dialect: 'sqlite',
      path: '/data/app.db',
      label: 'SQLite database /data/app.db',
    });
    assert.throws(
      () => parseJdbcUrl('jdbc:sqlite::memory:', 'Jdbc', auth),
      /in-memory SQLite database, which no other connection can see/,
    );
  });

  it('reads a PostgreSQL url with user and password from the options, never in the label', () => {
    const target = parseJdbcUrl('jdbc:postgresql://db.local:6543/shop?currentSchema=s', 'Jdbc', {
      ...auth,
      user: 'app',
      password: 's3cret',
    });
    assert.equal(target.dialect, 'postgres');
    if (target.dialect !== 'postgres') return;
    assert.equal(target.label, 'PostgreSQL database db.local:6543/shop');
    assert.equal(target.config.password, 's3cret');
    assert.equal(target.config.user, 'app');
    assert.equal(target.config.options, '-c search_path=s');
  });

  it('refuses a driver that does not match the url, and an unknown url, masking the password', () => {
    const ctx = sourceContext({ url: 'jdbc:sqlite:/x.db', driver: 'org.postgresql.Driver' });
    assert.throws(
      () => readJdbcTarget(optionReader(ctx), 'Jdbc'),
      /driver' is org.postgresql.Driver but the url jdbc:sqlite:\/x.db is a SQLite database/,
    );
    const mysql = sourceContext({ url: 'jdbc:mysql://h/db?password=s3cret' });
    assert.throws(
      () => readJdbcTarget(optionReader(mysql), 'Jdbc'),
      (err: Error) =>
        isConfigError(err) &&
        err.message.includes('password=***') &&
        !err.message.includes('s3cret'),
    );
  });
});

describe('Jdbc connection errors', () => {
  it('fails a PostgreSQL read that cannot connect, naming the database and not the password', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    await new Promise((resolve) => probe.close(resolve));
    const port = typeof address === 'object' && address !== null ? address.port : 1;
    const options = {
      url: `jdbc:postgresql://127.0.0.1:${port}/shop`,
      user: 'app',
      password: 's3cret',
    };
    await assert.rejects(
      async () => jdbcSource.create(sourceContext({ ...options, table_path: 't' })),
      (err: Error) => {
        assert.match(
          err.message,
          new RegExp(`^Jdbc: PostgreSQL database 127.0.0.1:${port}/shop: `),
        );
        assert.match(err.message, /ECONNREFUSED/);
        assert.doesNotMatch(err.message, /s3cret/);
        return true;
      },
    );
    const sink = jdbcSink.create(
      sinkContext({ ...options, generate_sink_sql: true, table: 't' }),
      [{ name: 'id', type: { kind: 'int' } }],
      0,
    );
    await assert.rejects(
      sink.write([{ kind: 'INSERT', table: 't', values: [1] }]),
      (err: Error) => {
        assert.match(err.message, /^Jdbc: PostgreSQL database .*cannot connect: .*ECONNREFUSED/);
        assert.doesNotMatch(err.message, /s3cret/);
        return true;
      },
    );
    await sink.close();
  });
});

describe('partitionRanges', () => {
  it('splits an integer range evenly, open at queried ends, NULLs in the first', () => {
    assert.deepEqual(
      partitionRanges({
        column: '"id"',
        lower: 1,
        upper: 10,
        lowerGiven: false,
        upperGiven: false,
        count: 3,
        integral: true,
      }),
      ['"id" < 4 OR "id" IS NULL', '"id" >= 4 AND "id" < 7', '"id" >= 7'],
    );
  });

  it('closes given bounds, and makes no empty ranges from a narrow span', () => {
    assert.deepEqual(
      partitionRanges({
        column: '"id"',
        lower: 5,
        upper: 6,
        lowerGiven: true,
        upperGiven: true,
        count: 4,
        integral: true,
      }),
      ['"id" >= 5 AND "id" < 6', '"id" >= 6 AND "id" <= 6'],
    );
    assert.deepEqual(
      partitionRanges({
        column: '"x"',
        lower: null,
        upper: null,
        lowerGiven: false,
        upperGiven: false,
        count: 4,
        integral: false,
      }),
      [undefined],
    );
  });
});

it('numbers ? placeholders outside quoted text', () => {
  assert.deepEqual(
    numberPlaceholders(`insert into t (a, "b?") values (?, '?', ?)`, (i) => `$${i + 1}`),
    { text: `insert into t (a, "b?") values ($1, '?', $2)`, count: 2 },
  );
});
