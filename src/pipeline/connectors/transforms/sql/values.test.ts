// Tests of how the Sql transform compares, converts and types values.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arithmeticType, compare, likeRegExp, sqlEquals, toNumber, toText } from './values.ts';

describe('Sql values', () => {
  it('compares numbers numerically, also against numeric text, and text as text', () => {
    assert.equal(compare(2, 10), -1);
    assert.equal(compare('10', 9), 1);
    assert.equal(compare('10', '9'), -1);
    assert.equal(compare(false, true), -1);
    assert.equal(sqlEquals(1, null), null);
    assert.equal(sqlEquals('1.50', 1.5), true);
    assert.throws(() => compare('x', 1), /"x" is not a number/);
  });

  it('converts to numbers and text', () => {
    assert.equal(toNumber('12.5'), 12.5);
    assert.equal(toNumber(3n), 3);
    assert.equal(toNumber(true), 1);
    assert.throws(() => toNumber(''), /is not a number/);
    assert.equal(toText(['a', 1]), '[a, 1]');
    assert.equal(toText({ k: 1 }), '{"k":1}');
  });

  it('types arithmetic: integers widen to bigint, the rest is double', () => {
    assert.equal(arithmeticType({ kind: 'int' }, { kind: 'smallint' }).kind, 'int');
    assert.equal(arithmeticType({ kind: 'int' }, { kind: 'bigint' }).kind, 'bigint');
    assert.equal(arithmeticType({ kind: 'int' }, { kind: 'double' }).kind, 'double');
    assert.equal(
      arithmeticType({ kind: 'decimal', precision: 10, scale: 2 }, { kind: 'int' }).kind,
      'double',
    );
    assert.equal(arithmeticType({ kind: 'null' }, { kind: 'bigint' }).kind, 'bigint');
  });

  it('turns LIKE patterns into anchored regular expressions', () => {
    assert.equal(likeRegExp('a%').test('abc'), true);
    assert.equal(likeRegExp('a_c').test('abc'), true);
    assert.equal(likeRegExp('a.c').test('abc'), false);
    assert.equal(likeRegExp('%b').test('abc'), false);
    assert.equal(likeRegExp('a%').test('a\nb'), true);
  });
});
