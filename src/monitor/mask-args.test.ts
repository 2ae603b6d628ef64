import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskArgs } from './mask-args.ts';

const masked = (line: string) => maskArgs(line.split(' ')).join(' ');

describe('maskArgs', () => {
  it('masks the value after a secret flag, and the value of --flag=value', () => {
    assert.equal(
      masked('node main.ts serve --token abcdefgh12345 --port 0'),
      'node main.ts serve --token *** --port 0',
    );
    assert.equal(masked('bosun serve --token=abcdefgh12345'), 'bosun serve --token=***');
    assert.equal(
      masked('mysqldump --password s3cret -u root db'),
      'mysqldump --password *** -u root db',
    );
    assert.equal(
      masked('app --db-password=s3cret --client_secret x'),
      'app --db-password=*** --client_secret ***',
    );
  });

  it('leaves a bare flag and a flag that names a file', () => {
    assert.equal(masked('bosun serve --token --port 0'), 'bosun serve --token --port 0');
    assert.equal(
      masked('bosun serve --token-file /etc/bosun/token --secrets-dir=/run/s'),
      'bosun serve --token-file /etc/bosun/token --secrets-dir=/run/s',
    );
  });

  it('masks password=, token= and secret= pairs and URL passwords', () => {
    assert.equal(
      masked('psql host=db password=s3cret PGPASSWORD=x dbname=app'),
      'psql host=db password=*** PGPASSWORD=*** dbname=app',
    );
    assert.equal(
      masked('curl https://h/api?token=abc&x=1 postgres://app:pw@db/app'),
      'curl https://h/api?token=***&x=1 postgres://app:***@db/app',
    );
    assert.equal(masked('worker secret=abc'), 'worker secret=***');
  });

  it('masks inside one argument that holds a whole command (sh -c, a rewritten title)', () => {
    assert.deepEqual(maskArgs(['sh', '-c', 'exec app --token abcdefgh12345 --port 1']), [
      'sh',
      '-c',
      'exec app --token *** --port 1',
    ]);
    assert.deepEqual(maskArgs(['bosun serve --password a-b --token x']), [
      'bosun serve --password *** --token ***',
    ]);
  });

  it('masks a value that holds spaces, given as its own argument', () => {
    assert.deepEqual(maskArgs(['app', '--password', 'two words']), ['app', '--password', '***']);
  });

  it('leaves a command line without secrets unchanged', () => {
    const line = 'node --test --max-old-space-size=64 src/monitor/ http://localhost:8600/x';
    assert.equal(masked(line), line);
  });

  // 128 KiB is Linux's longest argument; a quadratic match would take minutes here, which the test's
  // timeout catches (a timed assertion would fail on a loaded machine).
  it('stays linear on an argument any local user could craft', { timeout: 60_000 }, () => {
    for (const unit of ['a.', ' --token', 'password', '&token', 'a://b:c', 'x://u:p@']) {
      const arg = unit.repeat(Math.ceil(131_072 / unit.length));
      assert.equal(maskArgs(['app', arg, `${arg}!`]).length, 3, unit);
    }
  });
});
