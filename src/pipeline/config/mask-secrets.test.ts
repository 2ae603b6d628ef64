import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskConfigSecrets, restoreMaskedSecrets } from './mask-secrets.ts';

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
});
