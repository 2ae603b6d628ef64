import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CloudtaskSchedule, ScheduleSpec } from '../../model/schedules.ts';
import { nextFire, nextFires } from './next-fire.ts';

const REFERENCE_TIMESTAMP = Date.UTC(2026, 0, 1, 0, 0, 0);
const UTC = { tz: 'UTC', anchorMs: REFERENCE_TIMESTAMP };

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const isos = (list: number[]) => list.map((ms) => new Date(ms).toISOString());

function cron(expr: string, tz?: string): ScheduleSpec {
  return tz === undefined
    ? { kind: 'cron', expr, enabled: true }
    : { kind: 'cron', expr, tz, enabled: true };
}

function cloudtask(fields: Partial<CloudtaskSchedule>): CloudtaskSchedule {
  return {
    kind: 'cloudtask',
    turnmode: 4,
    interval: 1,
    startdate: '01/01/2026',
    enddate: '',
    starttime: '00:00',
    endtime: '',
    selectat: '',
    monthlyof: { day: 0, week: '' },
    enabled: true,
    ...fields,
  };
}

/** The fires strictly after `from` (an ISO string), as ISO strings. */
function fires(spec: ScheduleSpec, from: string, count: number, tz = 'UTC'): string[] {
  return isos(nextFires(spec, Date.parse(from), count, { tz, anchorMs: REFERENCE_TIMESTAMP }));
}

describe('nextFire: every and at', () => {
  it('counts every ticks from the anchor, strictly after the given time', () => {
    const spec: ScheduleSpec = { kind: 'every', everySec: 300, enabled: true };
    assert.equal(nextFire(spec, REFERENCE_TIMESTAMP, UTC), REFERENCE_TIMESTAMP + 300_000);
    assert.equal(nextFire(spec, REFERENCE_TIMESTAMP + 299_999, UTC), REFERENCE_TIMESTAMP + 300_000);
    assert.equal(nextFire(spec, REFERENCE_TIMESTAMP + 300_000, UTC), REFERENCE_TIMESTAMP + 600_000);
    assert.equal(nextFire(spec, REFERENCE_TIMESTAMP - 1, UTC), REFERENCE_TIMESTAMP);
  });

  it('ignores DST for every: absolute time', () => {
    const spec: ScheduleSpec = { kind: 'every', everySec: 3600, enabled: true };
    const anchorMs = Date.UTC(2026, 2, 8, 5, 0);
    const got = nextFires(spec, anchorMs, 3, { tz: 'America/New_York', anchorMs });
    assert.deepEqual(isos(got), [
      '2026-03-08T06:00:00.000Z',
      '2026-03-08T07:00:00.000Z',
      '2026-03-08T08:00:00.000Z',
    ]);
  });

  it('fires an at schedule once, then never', () => {
    const spec: ScheduleSpec = { kind: 'at', at: '2026-12-01T10:00:00.000Z', enabled: true };
    assert.equal(iso(nextFire(spec, REFERENCE_TIMESTAMP, UTC)), '2026-12-01T10:00:00.000Z');
    assert.equal(nextFire(spec, Date.UTC(2026, 11, 1, 10), UTC), undefined);
    assert.deepEqual(nextFires(spec, REFERENCE_TIMESTAMP, 5, UTC).length, 1);
  });
});

describe('nextFire: cron', () => {
  it('evaluates in UTC and in the context zone when the spec has none', () => {
    assert.deepEqual(fires(cron('0 */2 * * *'), '2026-01-01T00:00:00Z', 2), [
      '2026-01-01T02:00:00.000Z',
      '2026-01-01T04:00:00.000Z',
    ]);
    // 09:00 in Berlin in winter is 08:00 UTC.
    assert.deepEqual(fires(cron('0 9 * * *'), '2026-01-01T00:00:00Z', 1, 'Europe/Berlin'), [
      '2026-01-01T08:00:00.000Z',
    ]);
    // The spec's own zone wins over the context's.
    assert.deepEqual(
      fires(cron('0 9 * * *', 'America/New_York'), '2026-01-01T00:00:00Z', 1, 'Europe/Berlin'),
      ['2026-01-01T14:00:00.000Z'],
    );
  });

  it('reads 6 fields with seconds first', () => {
    assert.deepEqual(fires(cron('30 15 10 * * *'), '2026-01-01T00:00:00Z', 1), [
      '2026-01-01T10:15:30.000Z',
    ]);
  });

  it('is strictly after a time with milliseconds', () => {
    const t = Date.UTC(2026, 0, 1, 2, 0, 0, 500);
    assert.equal(iso(nextFire(cron('0 */2 * * *'), t, UTC)), '2026-01-01T04:00:00.000Z');
  });

  it('America/New_York spring-forward: a skipped time fires at 03:00 EDT', () => {
    // 2026-03-08 02:00 EST jumps to 03:00 EDT (07:00Z).
    const spec = cron('30 2 * * *', 'America/New_York');
    assert.deepEqual(fires(spec, '2026-03-07T12:00:00Z', 3), [
      '2026-03-08T07:00:00.000Z',
      '2026-03-09T06:30:00.000Z',
      '2026-03-10T06:30:00.000Z',
    ]);
  });

  it('America/New_York spring-forward: a list in the gap fires once (croner alone drops it)', () => {
    const spec = cron('0,30 2 * * *', 'America/New_York');
    assert.deepEqual(fires(spec, '2026-03-07T12:00:00Z', 3), [
      '2026-03-08T07:00:00.000Z',
      '2026-03-09T06:00:00.000Z',
      '2026-03-09T06:30:00.000Z',
    ]);
  });

  it('America/New_York spring-forward: an interval pattern keeps going without a double fire', () => {
    const spec = cron('*/20 * * * *', 'America/New_York');
    assert.deepEqual(fires(spec, '2026-03-08T06:30:00Z', 4), [
      '2026-03-08T06:40:00.000Z', // 01:40 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT (02:00, 02:20, 02:40 all map here)
      '2026-03-08T07:20:00.000Z',
      '2026-03-08T07:40:00.000Z',
    ]);
  });

  it('America/New_York fall-back: a repeated time fires once, at its first occurrence', () => {
    // 2026-11-01 02:00 EDT falls back to 01:00 EST (06:00Z); 01:30 happens at 05:30Z and 06:30Z.
    const spec = cron('30 1 * * *', 'America/New_York');
    assert.deepEqual(fires(spec, '2026-10-31T12:00:00Z', 2), [
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('America/New_York fall-back: the repeated hour is not run twice', () => {
    const spec = cron('*/20 * * * *', 'America/New_York');
    assert.deepEqual(fires(spec, '2026-11-01T04:50:00Z', 4), [
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T05:20:00.000Z',
      '2026-11-01T05:40:00.000Z',
      '2026-11-01T07:00:00.000Z', // 02:00 EST; 01:00–01:40 EST already happened as EDT
    ]);
    // Asked from inside the second 01:xx hour, it waits for 02:00 EST.
    assert.equal(
      iso(nextFire(spec, Date.UTC(2026, 10, 1, 6, 10), { tz: 'UTC', anchorMs: 0 })),
      '2026-11-01T07:00:00.000Z',
    );
  });

  it('Europe/Berlin spring-forward and fall-back', () => {
    const spec = cron('30 2 * * *', 'Europe/Berlin');
    // 2026-03-29 02:00 CET jumps to 03:00 CEST (01:00Z).
    assert.deepEqual(fires(spec, '2026-03-28T12:00:00Z', 2), [
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
    // 2026-10-25 03:00 CEST falls back to 02:00 CET; 02:30 first happens at 00:30Z (CEST).
    assert.deepEqual(fires(spec, '2026-10-24T12:00:00Z', 2), [
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('Europe/Berlin: a 6-field expression with seconds in the gap', () => {
    assert.deepEqual(fires(cron('10 15 2 * * *', 'Europe/Berlin'), '2026-03-28T12:00:00Z', 1), [
      '2026-03-29T01:00:00.000Z',
    ]);
  });

  it('Australia/Lord_Howe: the 30-minute shift both ways', () => {
    // 2026-10-04 02:00 +10:30 jumps to 02:30 +11:00 (15:30Z on the 3rd).
    assert.deepEqual(fires(cron('15 2 * * *', 'Australia/Lord_Howe'), '2026-10-03T00:00:00Z', 2), [
      '2026-10-03T15:30:00.000Z',
      '2026-10-04T15:15:00.000Z',
    ]);
    assert.deepEqual(fires(cron('45 2 * * *', 'Australia/Lord_Howe'), '2026-10-03T00:00:00Z', 1), [
      '2026-10-03T15:45:00.000Z',
    ]);
    // 2026-04-05 02:00 +11:00 falls back to 01:30 +10:30; 01:45 first happens at 14:45Z (+11).
    assert.deepEqual(fires(cron('45 1 * * *', 'Australia/Lord_Howe'), '2026-04-04T00:00:00Z', 2), [
      '2026-04-04T14:45:00.000Z',
      '2026-04-05T15:15:00.000Z',
    ]);
  });

  it('America/Santiago: a midnight transition', () => {
    // 2026-09-06 00:00 -04 jumps to 01:00 -03 (04:00Z).
    assert.deepEqual(fires(cron('30 0 * * *', 'America/Santiago'), '2026-09-05T12:00:00Z', 2), [
      '2026-09-06T04:00:00.000Z',
      '2026-09-07T03:30:00.000Z',
    ]);
  });

  it('finds February 29 years ahead', () => {
    assert.deepEqual(fires(cron('0 0 29 2 *'), '2026-01-01T00:00:00Z', 2), [
      '2028-02-29T00:00:00.000Z',
      '2032-02-29T00:00:00.000Z',
    ]);
  });
});

describe('nextFire: cloudtask modes 1–3 (windowed intervals)', () => {
  it('mode 1: every 30 seconds up to endtime:00', () => {
    const spec = cloudtask({ turnmode: 1, interval: 30, starttime: '08:00', endtime: '08:01' });
    assert.deepEqual(fires(spec, '2025-12-31T00:00:00Z', 4), [
      '2026-01-01T08:00:00.000Z',
      '2026-01-01T08:00:30.000Z',
      '2026-01-01T08:01:00.000Z',
      '2026-01-02T08:00:00.000Z',
    ]);
  });

  it('mode 2: ticks stay on the startdate grid; each window start fires too', () => {
    const spec = cloudtask({ turnmode: 2, interval: 7, starttime: '08:00', endtime: '09:00' });
    const got = fires(spec, '2026-01-01T08:50:00Z', 5);
    assert.deepEqual(got, [
      '2026-01-01T08:56:00.000Z',
      // 09:03 is past 09:00:59, so the next is the next day's window start...
      '2026-01-02T08:00:00.000Z',
      // ...then the grid again: 1440 minutes is not a multiple of 7, so 08:02, not 08:07.
      '2026-01-02T08:02:00.000Z',
      '2026-01-02T08:09:00.000Z',
      '2026-01-02T08:16:00.000Z',
    ]);
  });

  it('mode 3: every 2 hours within 08:00–18:00 from the startdate', () => {
    const spec = cloudtask({
      turnmode: 3,
      interval: 2,
      startdate: '01/02/2026',
      starttime: '08:00',
      endtime: '18:00',
    });
    const got = fires(spec, '2026-01-01T00:00:00Z', 7);
    assert.deepEqual(got, [
      '2026-01-02T08:00:00.000Z',
      '2026-01-02T10:00:00.000Z',
      '2026-01-02T12:00:00.000Z',
      '2026-01-02T14:00:00.000Z',
      '2026-01-02T16:00:00.000Z',
      '2026-01-02T18:00:00.000Z',
      '2026-01-03T08:00:00.000Z',
    ]);
  });

  it('mode 3: absolute hours across spring-forward, no gap and no double', () => {
    const spec = cloudtask({
      turnmode: 3,
      interval: 1,
      startdate: '03/07/2026',
      starttime: '00:00',
      endtime: '23:59',
      tz: 'America/New_York',
    });
    assert.deepEqual(fires(spec, '2026-03-08T04:30:00Z', 4), [
      '2026-03-08T05:00:00.000Z', // 00:00 EST
      '2026-03-08T06:00:00.000Z', // 01:00 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
      '2026-03-08T08:00:00.000Z',
    ]);
  });

  it('expires at enddate + endtime', () => {
    const spec = cloudtask({
      turnmode: 2,
      interval: 30,
      startdate: '01/01/2026',
      enddate: '01/02/2026',
      starttime: '08:00',
      endtime: '09:00',
    });
    assert.deepEqual(fires(spec, '2026-01-02T08:10:00Z', 5), [
      '2026-01-02T08:30:00.000Z',
      '2026-01-02T09:00:00.000Z',
    ]);
    assert.equal(nextFire(spec, Date.UTC(2026, 0, 2, 9), UTC), undefined);
  });
});

describe('nextFire: cloudtask mode 4 (daily)', () => {
  it('every 3 days at starttime from the startdate', () => {
    const spec = cloudtask({ interval: 3, starttime: '09:00' });
    assert.deepEqual(fires(spec, '2025-06-01T00:00:00Z', 3), [
      '2026-01-01T09:00:00.000Z',
      '2026-01-04T09:00:00.000Z',
      '2026-01-07T09:00:00.000Z',
    ]);
    assert.deepEqual(fires(spec, '2026-01-04T09:00:00Z', 1), ['2026-01-07T09:00:00.000Z']);
    assert.deepEqual(fires(spec, '2026-01-04T08:59:59Z', 1), ['2026-01-04T09:00:00.000Z']);
  });

  it('America/New_York: wall-clock days across both transitions', () => {
    const spring = cloudtask({
      startdate: '03/06/2026',
      starttime: '02:30',
      tz: 'America/New_York',
    });
    assert.deepEqual(fires(spring, '2026-03-01T00:00:00Z', 4), [
      '2026-03-06T07:30:00.000Z', // EST
      '2026-03-07T07:30:00.000Z',
      '2026-03-08T07:00:00.000Z', // 02:30 does not exist: 03:00 EDT
      '2026-03-09T06:30:00.000Z', // EDT
    ]);
    const fall = cloudtask({ startdate: '10/31/2026', starttime: '01:30', tz: 'America/New_York' });
    assert.deepEqual(fires(fall, '2026-10-01T00:00:00Z', 3), [
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z', // first 01:30 (EDT), not the second
      '2026-11-02T06:30:00.000Z', // EST
    ]);
  });

  it('Europe/Berlin: wall-clock days across both transitions', () => {
    const spring = cloudtask({ startdate: '03/28/2026', starttime: '02:30', tz: 'Europe/Berlin' });
    assert.deepEqual(fires(spring, '2026-03-01T00:00:00Z', 3), [
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
    const fall = cloudtask({ startdate: '10/24/2026', starttime: '02:30', tz: 'Europe/Berlin' });
    assert.deepEqual(fires(fall, '2026-10-01T00:00:00Z', 3), [
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('Australia/Lord_Howe: wall-clock days across the 30-minute shifts', () => {
    const spring = cloudtask({
      startdate: '10/03/2026',
      starttime: '02:15',
      tz: 'Australia/Lord_Howe',
    });
    assert.deepEqual(fires(spring, '2026-09-01T00:00:00Z', 3), [
      '2026-10-02T15:45:00.000Z', // +10:30
      '2026-10-03T15:30:00.000Z', // 02:15 does not exist: 02:30 +11
      '2026-10-04T15:15:00.000Z', // +11
    ]);
    const fall = cloudtask({
      startdate: '04/04/2026',
      starttime: '01:45',
      tz: 'Australia/Lord_Howe',
    });
    assert.deepEqual(fires(fall, '2026-03-01T00:00:00Z', 3), [
      '2026-04-03T14:45:00.000Z',
      '2026-04-04T14:45:00.000Z', // first 01:45 (+11)
      '2026-04-05T15:15:00.000Z', // +10:30
    ]);
  });

  it('with no endtime, expires after starttime:59 on the enddate', () => {
    const spec = cloudtask({ starttime: '09:00', enddate: '01/03/2026' });
    assert.deepEqual(fires(spec, '2026-01-01T00:00:00Z', 5), [
      '2026-01-01T09:00:00.000Z',
      '2026-01-02T09:00:00.000Z',
      '2026-01-03T09:00:00.000Z',
    ]);
  });
});

describe('nextFire: cloudtask mode 5 (weekly)', () => {
  it('counts weeks from the Sunday of the startdate week', () => {
    // 01/07/2026 is a Wednesday; its week starts Sunday 01/04. Monday 01/05 is before the start.
    const spec = cloudtask({
      turnmode: 5,
      interval: 2,
      startdate: '01/07/2026',
      starttime: '09:15',
      selectat: '1,3',
    });
    assert.deepEqual(fires(spec, '2026-01-01T00:00:00Z', 5), [
      '2026-01-07T09:15:00.000Z',
      '2026-01-19T09:15:00.000Z',
      '2026-01-21T09:15:00.000Z',
      '2026-02-02T09:15:00.000Z',
      '2026-02-04T09:15:00.000Z',
    ]);
    assert.deepEqual(fires(spec, '2026-01-21T09:15:00Z', 1), ['2026-02-02T09:15:00.000Z']);
  });

  it('fires on Sunday and Saturday of each week', () => {
    const spec = cloudtask({ turnmode: 5, interval: 1, starttime: '00:00', selectat: '0,6' });
    // 01/01/2026 is a Thursday.
    assert.deepEqual(fires(spec, '2025-12-31T00:00:00Z', 3), [
      '2026-01-03T00:00:00.000Z',
      '2026-01-04T00:00:00.000Z',
      '2026-01-10T00:00:00.000Z',
    ]);
  });
});

describe('nextFire: cloudtask mode 6 (monthly)', () => {
  const monthly = (selectat: string, day: number, week = '') =>
    cloudtask({ turnmode: 6, starttime: '06:00', selectat, monthlyof: { day, week } });

  it('the last Monday of January and July', () => {
    assert.deepEqual(fires(monthly('1,7', 0, '0:1'), '2026-01-01T00:00:00Z', 3), [
      '2026-01-26T06:00:00.000Z',
      '2026-07-27T06:00:00.000Z',
      '2027-01-25T06:00:00.000Z',
    ]);
  });

  it('the nth weekday, skipping months without a fifth one', () => {
    assert.deepEqual(fires(monthly('1', 0, '2:4'), '2026-01-01T00:00:00Z', 1), [
      '2026-01-08T06:00:00.000Z',
    ]);
    const all = '1,2,3,4,5,6,7,8,9,10,11,12';
    assert.deepEqual(fires(monthly(all, 0, '5:5'), '2026-01-01T00:00:00Z', 2), [
      '2026-01-30T06:00:00.000Z',
      '2026-05-29T06:00:00.000Z',
    ]);
  });

  it('a day from the end of the month', () => {
    assert.deepEqual(fires(monthly('2', -1), '2026-01-01T00:00:00Z', 3), [
      '2026-02-28T06:00:00.000Z',
      '2027-02-28T06:00:00.000Z',
      '2028-02-29T06:00:00.000Z',
    ]);
  });

  it('skips a month that lacks the day', () => {
    assert.deepEqual(fires(monthly('1,2,3,4', 31), '2026-01-01T00:00:00Z', 3), [
      '2026-01-31T06:00:00.000Z',
      '2026-03-31T06:00:00.000Z',
      '2027-01-31T06:00:00.000Z',
    ]);
    assert.deepEqual(fires(monthly('2', 29), '2026-01-01T00:00:00Z', 2), [
      '2028-02-29T06:00:00.000Z',
      '2032-02-29T06:00:00.000Z',
    ]);
  });

  it('gives up on a combination that can never fire instead of looping', () => {
    // Validation refuses this; evaluation must still end.
    assert.equal(nextFire(monthly('2', 30), REFERENCE_TIMESTAMP, UTC), undefined);
  });

  it('returns undefined past the enddate', () => {
    const spec = cloudtask({
      turnmode: 6,
      starttime: '06:00',
      selectat: '1,7',
      enddate: '06/30/2026',
      monthlyof: { day: 1, week: '' },
    });
    assert.deepEqual(fires(spec, '2025-12-01T00:00:00Z', 3), ['2026-01-01T06:00:00.000Z']);
  });
});
