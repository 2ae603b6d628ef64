import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskConfigSecrets } from './mask-secrets.ts';

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
});
