// Tests of the Sql transform's date and time helpers: reading ISO/SQL text and Java-style patterns.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePattern, parseDateTime, partsOf, timestampText } from './date-time.ts';

describe('Sql date-time helpers', () => {
  it('reads dates and timestamps with T or a space, and rejects other text', () => {
    assert.deepEqual(parseDateTime('2024-05-01'), {
      year: 2024,
      month: 5,
      day: 1,
      hour: 0,
      minute: 0,
      second: 0,
      millis: 0,
    });
    assert.equal(parseDateTime('2024-05-01 10:20:30.25')?.millis, 250);
    assert.equal(parseDateTime('2024-05-01T10:20')?.minute, 20);
    assert.equal(parseDateTime('May 1st'), undefined);
    assert.equal(parseDateTime(42), undefined);
  });

  it('prints timestamps as SeaTunnel does, milliseconds only when there are some', () => {
    const p = parseDateTime('2024-05-01 10:20:30') as NonNullable<ReturnType<typeof parseDateTime>>;
    assert.equal(timestampText(p), '2024-05-01T10:20:30');
    assert.equal(timestampText({ ...p, millis: 7 }), '2024-05-01T10:20:30.007');
  });

  it('formats Java pattern letters, quoted text and literals', () => {
    const p = parseDateTime('2024-01-05T13:04:09.123') as NonNullable<
      ReturnType<typeof parseDateTime>
    >;
    assert.equal(compilePattern('yyyy-MM-dd HH:mm:ss.SSS')(p), '2024-01-05 13:04:09.123');
    assert.equal(compilePattern('yy/M/d h:m:s a')(p), '24/1/5 1:4:9 PM');
    assert.equal(compilePattern("EEEE, MMMM d 'at' HH'h'")(p), 'Friday, January 5 at 13h');
    assert.equal(compilePattern("MMM ''yy")(p), "Jan '24");
    assert.throws(() => compilePattern('yyyy-qq'), /unknown pattern letter 'q'/);
  });

  it('takes an instant apart in a given time zone', () => {
    assert.equal(timestampText(partsOf(0, 'UTC')), '1970-01-01T00:00:00');
    assert.equal(timestampText(partsOf(1_714_558_830_000, 'Asia/Tokyo')), '2024-05-01T19:20:30');
    assert.throws(() => partsOf(0, 'Mars/Olympus'), RangeError);
  });
});
