import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskUrl, maskUrlsInText } from './mask-url.ts';

describe('maskUrl', () => {
  it('masks the password in the user info', () => {
    assert.equal(
      maskUrl('postgres://bosun:s3cret@db.example:5432/bosun'),
      'postgres://bosun:***@db.example:5432/bosun',
    );
  });

  it('masks a password that holds @, : and / characters', () => {
    assert.equal(maskUrl('postgresql://u:p@ss:w/rd@host/db'), 'postgresql://u:***@host/db');
    assert.equal(maskUrl('postgresql://u:p@ss@host'), 'postgresql://u:***@host');
  });

  it('leaves a URL without a password unchanged', () => {
    assert.equal(
      maskUrl('postgres://postgres@127.0.0.1:5432/postgres'),
      'postgres://postgres@127.0.0.1:5432/postgres',
    );
    assert.equal(maskUrl('postgres://db.example:5432/bosun'), 'postgres://db.example:5432/bosun');
    assert.equal(maskUrl('postgres://db.example/a@b'), 'postgres://db.example/a@b');
  });

  it('masks too much rather than too little when an @ follows the host', () => {
    assert.equal(
      maskUrl('postgres://u:pw@host:5432/db?application_name=a@b'),
      'postgres://u:***@b',
    );
  });

  it('masks a password given as a query parameter', () => {
    assert.equal(
      maskUrl('postgres://u@host/db?sslmode=require&password=s3cret&x=1'),
      'postgres://u@host/db?sslmode=require&password=***&x=1',
    );
  });

  it('masks a password in a key/value conninfo string', () => {
    assert.equal(
      maskUrl('host=db user=u password=s3cret dbname=x'),
      'host=db user=u password=*** dbname=x',
    );
    assert.equal(maskUrl("host=db password='a b\\'c' dbname=x"), 'host=db password=*** dbname=x');
  });
});

describe('maskUrlsInText', () => {
  it('masks the password of every URL in a text, whatever the scheme', () => {
    assert.equal(
      maskUrlsInText('a jdbc:postgresql://u:pw@h/db b postgres://v:p@w@h c https://h/x@y'),
      'a jdbc:postgresql://u:***@h/db b postgres://v:***@h c https://h/x@y',
    );
    assert.equal(maskUrlsInText('redis://:pw@h'), 'redis://:***@h');
  });

  it('stops at a quote, so a URL inside a JSON string keeps the JSON valid', () => {
    const text = JSON.stringify({ url: 'postgres://u:p"w@h/db', user: 'me@example.com' });
    assert.deepEqual(JSON.parse(maskUrlsInText(text)), {
      url: 'postgres://u:***@h/db',
      user: 'me@example.com',
    });
  });

  it('masks password-like query parameters and JDBC properties', () => {
    assert.equal(
      maskUrlsInText('jdbc:postgresql://h/db?user=u&password=pw&ssl=true'),
      'jdbc:postgresql://h/db?user=u&password=***&ssl=true',
    );
    assert.equal(
      maskUrlsInText('jdbc:sqlserver://h;user=u;password=pw;db=x'),
      'jdbc:sqlserver://h;user=u;password=***;db=x',
    );
    assert.equal(maskUrlsInText('https://h/x?api_token=t#top'), 'https://h/x?api_token=***#top');
  });

  it('leaves a text without URL secrets unchanged', () => {
    const text = 'postgres://u@h:5432/db and http://localhost:8600/api?limit=10';
    assert.equal(maskUrlsInText(text), text);
  });
});
