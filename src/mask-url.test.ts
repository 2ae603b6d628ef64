import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskUrl } from './mask-url.ts';

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
