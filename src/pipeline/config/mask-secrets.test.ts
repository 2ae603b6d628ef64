import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskConfigSecrets, maskSecretOptions, restoreMaskedSecrets } from './mask-secrets.ts';

describe('maskConfigSecrets', () => {
  it('masks password-like values in JSON and keeps it JSON', () => {
    const text = JSON.stringify({
      sink: [{ plugin_name: 'Jdbc', user: 'app', password: 'p"w,d}', 'auth.token': 't' }],
    });
    const masked = maskConfigSecrets(text);
    assert.deepEqual(JSON.parse(masked), {
      sink: [{ plugin_name: 'Jdbc', user: 'app', password: '***', 'auth.token': '***' }],
    });
  });

  it('masks HOCON values, quoted or not, and leaves everything else', () => {
    const text =
      'Jdbc {\n  url = "jdbc:postgresql://db/app"\n  password = "s3cret"\n  db_password: plain\n  user = app\n}';
    assert.equal(
      maskConfigSecrets(text),
      'Jdbc {\n  url = "jdbc:postgresql://db/app"\n  password = "***"\n  db_password: "***"\n  user = app\n}',
    );
  });

  it("masks SQL WITH options in SQL's quotes, and puts them back", () => {
    const text = "CREATE TABLE db WITH ('connector' = 'Jdbc', 'password' = 'it''s', 'user' = 'u');";
    const masked = maskConfigSecrets(text);
    assert.equal(
      masked,
      "CREATE TABLE db WITH ('connector' = 'Jdbc', 'password' = '***', 'user' = 'u');",
    );
    assert.equal(restoreMaskedSecrets(masked, text), text);
  });

  it('puts stored values back where a client sent the masked config back', () => {
    const stored =
      'source { Jdbc { password = "one" } }\nsink { Jdbc { password = "two", user = u } }';
    const shown = maskConfigSecrets(stored);
    assert.equal(restoreMaskedSecrets(shown, stored), stored);
    // A value the client changed is kept; the JSON form works the same way.
    const changed = shown.replace('"***", user', '"new", user');
    assert.equal(restoreMaskedSecrets(changed, stored), stored.replace('"two"', '"new"'));
    const json = JSON.stringify({ sink: [{ password: 'p"w' }] });
    assert.equal(restoreMaskedSecrets(maskConfigSecrets(json), json), json);
  });

  it('masks the password of a Jdbc url, in the user info and in the query, and keeps JSON', () => {
    const url = 'jdbc:postgresql://app:p@ss"w@db:5432/app?ssl=true&password=q&user=app';
    const text = JSON.stringify({ source: [{ plugin_name: 'Jdbc', url, query: 'select 1' }] });
    const masked = maskConfigSecrets(text);
    assert.deepEqual(JSON.parse(masked), {
      source: [
        {
          plugin_name: 'Jdbc',
          url: 'jdbc:postgresql://app:***@db:5432/app?ssl=true&password=***&user=app',
          query: 'select 1',
        },
      ],
    });
    assert.equal(restoreMaskedSecrets(masked, text), text);
  });

  it('masks a SQL Server url (;password=) and keeps JSON and HOCON parseable', () => {
    const json = '{"source":[{"url":"jdbc:sqlserver://h;user=sa;password=Secret1","x":1}]}';
    const masked = maskConfigSecrets(json);
    assert.ok(!masked.includes('Secret1'), masked);
    assert.deepEqual(JSON.parse(masked), {
      source: [{ url: 'jdbc:sqlserver://h;user=sa;password=***', x: 1 }],
    });
    assert.equal(restoreMaskedSecrets(masked, json), json);
  });

  it('masks url passwords in HOCON and SQL text, and puts each back in its place', () => {
    const hocon =
      'source { Jdbc { url = "postgres://a:one@h/db", password = "postgres://b:two@h" } }\n' +
      'sink { Jdbc { url = jdbc:postgresql://c:three@h/db } }';
    const masked = maskConfigSecrets(hocon);
    assert.equal(
      masked,
      'source { Jdbc { url = "postgres://a:***@h/db", password = "***" } }\n' +
        'sink { Jdbc { url = jdbc:postgresql://c:***@h/db } }',
    );
    assert.equal(restoreMaskedSecrets(masked, hocon), hocon);
    const sql =
      "CREATE TABLE t WITH ('connector' = 'Jdbc', 'url' = 'jdbc:postgresql://u:pw@h/db');";
    assert.equal(
      maskConfigSecrets(sql),
      "CREATE TABLE t WITH ('connector' = 'Jdbc', 'url' = 'jdbc:postgresql://u:***@h/db');",
    );
    assert.equal(restoreMaskedSecrets(maskConfigSecrets(sql), sql), sql);
  });

  it('keeps a url password the client changed', () => {
    const stored = 'url = "postgres://u:old@h/db"';
    assert.equal(
      restoreMaskedSecrets('url = "postgres://u:new@h/db"', stored),
      'url = "postgres://u:new@h/db"',
    );
  });

  // Backtracking that grows with the square of 200 kB would take minutes: the test's timeout, not a
  // timed assertion (the load of a shared machine varies too much for one), catches it.
  it('stays linear on a large config full of secrets and near-secrets', { timeout: 60_000 }, () => {
    for (const unit of [
      '"password":"x",',
      'password ',
      '"a.',
      'x://u:p@',
      '&password',
      "'token' = '",
    ]) {
      const text = unit.repeat(Math.ceil(200_000 / unit.length));
      assert.equal(typeof restoreMaskedSecrets(maskConfigSecrets(text), text), 'string', unit);
    }
  });
});

describe('maskSecretOptions', () => {
  it('masks password-like options and url passwords in the others', () => {
    assert.deepEqual(
      maskSecretOptions({ 'job.name': 'x', 'api.token': 't', hook: 'https://u:pw@h/x' }),
      { 'job.name': 'x', 'api.token': '***', hook: 'https://u:***@h/x' },
    );
  });
});
