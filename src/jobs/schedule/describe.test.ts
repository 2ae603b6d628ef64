import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CloudtaskSchedule } from '../../model/schedules.ts';
import { describeSchedule } from './describe.ts';

function cloudtask(fields: Partial<CloudtaskSchedule>): CloudtaskSchedule {
  return {
    kind: 'cloudtask',
    turnmode: 4,
    interval: 1,
    startdate: '01/02/2026',
    enddate: '',
    starttime: '08:00',
    endtime: '',
    selectat: '',
    monthlyof: { day: 0, week: '' },
    enabled: true,
    ...fields,
  };
}

describe('describeSchedule', () => {
  it('every: the largest whole unit', () => {
    const every = (everySec: number) =>
      describeSchedule({ kind: 'every', everySec, enabled: true });
    assert.equal(every(300), 'every 5 minutes');
    assert.equal(every(3600), 'every hour');
    assert.equal(every(90), 'every 90 seconds');
    assert.equal(every(1), 'every second');
    assert.equal(every(172_800), 'every 2 days');
  });

  it('cron: a daily time in words, anything else as the expression, with the zone', () => {
    assert.equal(
      describeSchedule({ kind: 'cron', expr: '30 2 * * *', tz: 'Europe/Berlin', enabled: true }),
      'every day at 02:30 (Europe/Berlin)',
    );
    assert.equal(
      describeSchedule({ kind: 'cron', expr: '0 */2 * * *', enabled: true }, { tz: 'UTC' }),
      'every 2 hours at :00 (UTC)',
    );
    assert.equal(
      describeSchedule({ kind: 'cron', expr: '0 */2 * * *', enabled: true }),
      'every 2 hours at :00',
    );
  });

  it('at: in UTC', () => {
    assert.equal(
      describeSchedule({ kind: 'at', at: '2026-12-01T10:00:00.000Z', enabled: true }),
      'once at 2026-12-01 10:00 UTC',
    );
    assert.equal(
      describeSchedule({ kind: 'at', at: '2026-12-01T10:00:05.000Z', enabled: true }),
      'once at 2026-12-01 10:00:05 UTC',
    );
  });

  it('cloudtask: each turnmode', () => {
    assert.equal(
      describeSchedule(cloudtask({ turnmode: 3, interval: 2, endtime: '18:00' })),
      'every 2 hours, 08:00–18:00, from 01/02/2026',
    );
    assert.equal(
      describeSchedule(
        cloudtask({ turnmode: 1, interval: 30, endtime: '09:00', enddate: '02/01/2026' }),
      ),
      'every 30 seconds, 08:00–09:00, from 01/02/2026, until 02/01/2026',
    );
    assert.equal(
      describeSchedule(cloudtask({ interval: 3 })),
      'every 3 days at 08:00, from 01/02/2026',
    );
    assert.equal(
      describeSchedule(
        cloudtask({ turnmode: 5, interval: 2, selectat: '1,3', starttime: '09:15' }),
      ),
      'weekly on Mon, Wed every 2 weeks at 09:15',
    );
    assert.equal(
      describeSchedule(
        cloudtask({
          turnmode: 6,
          selectat: '1,7',
          starttime: '06:00',
          monthlyof: { day: 0, week: '0:1' },
        }),
      ),
      'monthly on the last Monday of Jan, Jul at 06:00',
    );
    assert.equal(
      describeSchedule(
        cloudtask({
          turnmode: 6,
          selectat: '1,2,3,4,5,6,7,8,9,10,11,12',
          monthlyof: { day: -2, week: '' },
        }),
      ),
      'monthly on the 2nd-to-last day of every month at 08:00',
    );
    assert.equal(
      describeSchedule(cloudtask({ turnmode: 6, selectat: '3', monthlyof: { day: 15, week: '' } })),
      'monthly on day 15 of Mar at 08:00',
    );
  });

  it('says when a schedule is disabled', () => {
    assert.equal(
      describeSchedule({ kind: 'every', everySec: 60, enabled: false }),
      'every minute (disabled)',
    );
  });
});

it('common cron shapes read as words, the rest as the expression', () => {
  const cron = (expr: string) => describeSchedule({ kind: 'cron', expr, enabled: true });
  assert.equal(cron('* * * * *'), 'every minute');
  assert.equal(cron('*/5 * * * *'), 'every 5 minutes');
  assert.equal(cron('15 * * * *'), 'every hour at :15');
  assert.equal(cron('0 */2 * * *'), 'every 2 hours at :00');
  assert.equal(cron('30 2 * * *'), 'every day at 02:30');
  assert.equal(cron('0 9 * * 1,3'), 'every Mon, Wed at 09:00');
  assert.equal(cron('0 0 1 * *'), 'cron 0 0 1 * *');
  assert.equal(cron('*/10 * * * * *'), 'cron */10 * * * * *');
});
