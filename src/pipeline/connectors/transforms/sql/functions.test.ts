// Tests of the Sql transform's function helpers that have rules of their own: rounding, date
// differences and Java's replacement syntax.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDateTime } from '../../../date-time.ts';
import { dateDiff, javaReplacement, roundHalfUp } from './functions.ts';

const at = (text: string) => parseDateTime(text) as NonNullable<ReturnType<typeof parseDateTime>>;

describe('Sql function helpers', () => {
  it('rounds halves away from zero, at any number of decimals', () => {
    assert.equal(roundHalfUp(2.5, 0), 3);
    assert.equal(roundHalfUp(-2.5, 0), -3);
    assert.equal(roundHalfUp(1.005, 2), 1.01);
    assert.equal(roundHalfUp(1250, -2), 1300);
    assert.equal(roundHalfUp(-0.4, 0), 0);
  });

  it('counts the unit boundaries crossed between two times', () => {
    assert.equal(dateDiff('DAY', at('2024-02-28T23:59:59'), at('2024-03-01')), 2);
    assert.equal(dateDiff('DAY', at('2024-03-01'), at('2024-02-28')), -2);
    assert.equal(dateDiff('HOUR', at('2024-01-01T10:59'), at('2024-01-01T11:00')), 1);
    assert.equal(dateDiff('MINUTE', at('2024-01-01T10:00'), at('2024-01-01T10:30')), 30);
    assert.equal(dateDiff('SECOND', at('2024-01-01T10:00:00'), at('2024-01-01T10:00:05')), 5);
    assert.equal(dateDiff('MONTH', at('2023-11-30'), at('2024-01-01')), 2);
    assert.equal(dateDiff('YEAR', at('2023-12-31'), at('2024-01-01')), 1);
  });

  it("reads Java's replacement syntax", () => {
    const replace = (text: string, pattern: RegExp, replacement: string) =>
      text.replace(pattern, javaReplacement(replacement));
    assert.equal(replace('abc', /b/g, '[$0]'), 'a[b]c');
    assert.equal(replace('abc', /(a)(b)/g, '$2$1'), 'bac');
    assert.equal(replace('abc', /(?<x>b)/g, '${x}${x}'), 'abbc');
    assert.equal(replace('abc', /b/g, '\\$1'), 'a$1c');
    assert.throws(() => javaReplacement('$'), /illegal group reference/);
  });
});
