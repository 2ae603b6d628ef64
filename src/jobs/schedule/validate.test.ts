import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AgentError } from '../../errors.ts';
import { parseSchedule } from './validate.ts';

const P = 'schedules[0]';

/** Asserts that parsing fails with INVALID_INPUT and a message containing every fragment. */
function refuses(input: unknown, ...fragments: string[]): string {
  let caught: unknown;
  try {
    parseSchedule(input, P);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof AgentError, `expected an AgentError for ${JSON.stringify(input)}`);
  assert.equal(caught.code, 'INVALID_INPUT');
  for (const f of fragments) {
    assert.ok(caught.message.includes(f), `"${caught.message}" lacks "${f}"`);
  }
  return caught.message;
}

const ct = (fields: Record<string, unknown>) => ({
  kind: 'cloudtask',
  enabled: 1,
  turnmode: 4,
  interval: 1,
  startdate: '01/02/2026',
  enddate: '',
  starttime: '08:00',
  endtime: '',
  selectat: '',
  monthlyof: { day: 0, week: '' },
  ...fields,
});

describe('parseSchedule: shape and kind', () => {
  it('refuses what is not an object', () => {
    refuses(null, `${P}: must be an object`);
    refuses([], `${P}: must be an object`);
  });

  it('refuses a missing or unknown kind and lists the kinds', () => {
    refuses({ expr: '* * * * *' }, `${P}.kind`, 'cron, every, at, cloudtask');
    refuses({ kind: 'interval' }, `${P}.kind`, '"interval"', 'cron, every, at, cloudtask');
    refuses({ kind: 'crn' }, `${P}.kind`, 'did you mean cron?');
  });

  it('refuses unknown fields, suggesting a near typo', () => {
    refuses({ kind: 'every', everysec: 60 }, `${P}.everysec`, 'did you mean everySec?');
    refuses({ kind: 'cron', expr: '* * * * *', tzz: 'UTC' }, `${P}.tzz`, 'did you mean tz?');
    refuses({ kind: 'every', everySec: 60, colour: 'red' }, `${P}.colour`, 'allowed fields');
  });

  it('defaults enabled to true and refuses non-booleans outside cloudtask', () => {
    assert.deepEqual(parseSchedule({ kind: 'every', everySec: 60 }, P), {
      kind: 'every',
      everySec: 60,
      enabled: true,
    });
    assert.equal(parseSchedule({ kind: 'every', everySec: 60, enabled: false }, P).enabled, false);
    refuses({ kind: 'every', everySec: 60, enabled: 1 }, `${P}.enabled`, 'true or false');
  });
});

describe('parseSchedule: cron', () => {
  it('accepts 5 and 6 fields, normalises spacing, keeps a valid zone', () => {
    assert.deepEqual(
      parseSchedule({ kind: 'cron', expr: ' 0  */2 * * * ', tz: 'Europe/Berlin' }, P),
      {
        kind: 'cron',
        expr: '0 */2 * * *',
        tz: 'Europe/Berlin',
        enabled: true,
      },
    );
    assert.equal(parseSchedule({ kind: 'cron', expr: '30 0 9 * * 1-5' }, P).kind, 'cron');
  });

  it('refuses the wrong number of fields', () => {
    refuses({ kind: 'cron', expr: '* * * *' }, `${P}.expr`, 'has 4 fields', 'seconds first');
    refuses({ kind: 'cron', expr: '0 0 0 1 1 * 2030' }, `${P}.expr`, 'has 7 fields');
  });

  it("passes croner's reason for a bad field", () => {
    refuses({ kind: 'cron', expr: '61 * * * *' }, `${P}.expr`, 'minute', '61');
    refuses({ kind: 'cron', expr: 'x * * * *' }, `${P}.expr`, 'illegal characters');
  });

  it('refuses an expression that never fires', () => {
    refuses({ kind: 'cron', expr: '0 0 30 2 *' }, `${P}.expr`, 'never fires');
  });

  it('refuses an unknown zone, suggesting a near one', () => {
    refuses({ kind: 'cron', expr: '* * * * *', tz: 'Europe/Berln' }, `${P}.tz`, 'Europe/Berlin');
    refuses({ kind: 'cron', expr: '* * * * *', tz: 'Mars/Olympus' }, `${P}.tz`, 'IANA');
    refuses({ kind: 'cron', expr: '* * * * *', tz: 5 }, `${P}.tz`);
  });
});

describe('parseSchedule: every and at', () => {
  it('refuses everySec that is not a positive whole number', () => {
    for (const bad of [0, -5, 1.5, '60', null, Infinity]) {
      refuses({ kind: 'every', everySec: bad }, `${P}.everySec`, 'at least 1');
    }
  });

  it('refuses everySec past ten years, whose fires would leave the dates JavaScript can hold', () => {
    refuses({ kind: 'every', everySec: 9e12 }, `${P}.everySec`, 'at most 315360000');
    assert.equal(parseSchedule({ kind: 'every', everySec: 315_360_000 }, P).kind, 'every');
  });

  it('normalises at to UTC', () => {
    assert.deepEqual(parseSchedule({ kind: 'at', at: '2026-12-01T11:00:00+01:00' }, P), {
      kind: 'at',
      at: '2026-12-01T10:00:00.000Z',
      enabled: true,
    });
    assert.equal(
      (parseSchedule({ kind: 'at', at: '2026-12-01 10:00Z' }, P) as { at: string }).at,
      '2026-12-01T10:00:00.000Z',
    );
  });

  it('reads an at without offset in the default zone, or refuses it without one', () => {
    const spec = parseSchedule({ kind: 'at', at: '2026-07-01T10:00' }, P, 'Europe/Berlin');
    assert.equal((spec as { at: string }).at, '2026-07-01T08:00:00.000Z');
    refuses({ kind: 'at', at: '2026-07-01T10:00' }, `${P}.at`, 'no UTC offset');
  });

  it('refuses an at that is not an ISO time or not a real date', () => {
    refuses({ kind: 'at', at: 'tomorrow' }, `${P}.at`, 'not an ISO time');
    refuses({ kind: 'at', at: '2026-02-30T10:00:00Z' }, `${P}.at`, 'not a real date');
    refuses({ kind: 'at', at: '2026-02-10T24:00:00Z' }, `${P}.at`, 'not a real date');
    refuses({ kind: 'at' }, `${P}.at`);
  });
});

describe('parseSchedule: cloudtask', () => {
  it('accepts Cloudtask JSON and normalises enabled', () => {
    const spec = parseSchedule(ct({ enabled: 0, tz: 'Asia/Tokyo' }), P);
    assert.deepEqual(spec, {
      kind: 'cloudtask',
      turnmode: 4,
      interval: 1,
      startdate: '01/02/2026',
      enddate: '',
      starttime: '08:00',
      endtime: '',
      selectat: '',
      monthlyof: { day: 0, week: '' },
      tz: 'Asia/Tokyo',
      enabled: false,
    });
    assert.equal(parseSchedule(ct({ enabled: true }), P).enabled, true);
    refuses(ct({ enabled: 'yes' }), `${P}.enabled`, '1 / 0');
  });

  it('refuses a turnmode outside 1..6, naming the modes', () => {
    refuses(ct({ turnmode: 7 }), `${P}.turnmode`, '1..6', '4 daily');
    refuses(ct({ turnmode: '2' }), `${P}.turnmode`);
  });

  it('refuses an interval that is not a positive whole number for modes 1–5', () => {
    refuses(ct({ turnmode: 2, interval: 0, endtime: '18:00' }), `${P}.interval`, 'at least 1');
    refuses(ct({ interval: 1.5 }), `${P}.interval`);
    assert.equal(
      parseSchedule(
        ct({ turnmode: 6, interval: 0, selectat: '1', monthlyof: { day: 1, week: '' } }),
        P,
      ).kind,
      'cloudtask',
    );
  });

  it('refuses an interval above a million, with the bound', () => {
    refuses(ct({ interval: 1_000_001 }), `${P}.interval`, 'at most 1000000');
    refuses(
      ct({ turnmode: 6, interval: 1e15, selectat: '1', monthlyof: { day: 1, week: '' } }),
      `${P}.interval`,
      'from 0 to 1000000',
    );
    assert.equal(parseSchedule(ct({ interval: 1_000_000 }), P).kind, 'cloudtask');
  });

  it('refuses dates that are not real MM/DD/YYYY dates', () => {
    refuses(ct({ startdate: '2026-01-02' }), `${P}.startdate`, 'MM/DD/YYYY');
    refuses(ct({ startdate: '02/30/2026' }), `${P}.startdate`, 'MM/DD/YYYY');
    refuses(ct({ enddate: '13/01/2026' }), `${P}.enddate`, 'MM/DD/YYYY');
  });

  it('refuses an enddate before the startdate', () => {
    refuses(ct({ enddate: '01/01/2026' }), `${P}.enddate`, 'before startdate 01/02/2026');
  });

  it('refuses times that are not HH:MM', () => {
    refuses(ct({ starttime: '8:00' }), `${P}.starttime`, 'HH:MM');
    refuses(ct({ starttime: '24:00' }), `${P}.starttime`, 'HH:MM');
    refuses(ct({ turnmode: 3, endtime: '18:60' }), `${P}.endtime`, 'HH:MM');
  });

  it('refuses an empty endtime for modes 1–3 and a window across midnight', () => {
    for (const turnmode of [1, 2, 3]) {
      refuses(ct({ turnmode, endtime: '' }), `${P}.endtime`, 'required', '23:59');
    }
    refuses(ct({ turnmode: 2, starttime: '22:00', endtime: '06:00' }), `${P}.endtime`, 'midnight');
    assert.equal(parseSchedule(ct({ turnmode: 2, endtime: '23:59' }), P).kind, 'cloudtask');
  });

  it('requires weekdays 0..6 for weekly', () => {
    refuses(ct({ turnmode: 5, selectat: '' }), `${P}.selectat`, 'weekdays 0..6');
    refuses(ct({ turnmode: 5, selectat: '1,7' }), `${P}.selectat`, 'weekdays 0..6');
    assert.equal(parseSchedule(ct({ turnmode: 5, selectat: '1, 3,5' }), P).kind, 'cloudtask');
  });

  it('requires months 1..12 for monthly', () => {
    const m = { monthlyof: { day: 1, week: '' } };
    refuses(ct({ turnmode: 6, selectat: '', ...m }), `${P}.selectat`, 'months 1..12');
    refuses(ct({ turnmode: 6, selectat: '0,5', ...m }), `${P}.selectat`, 'months 1..12');
  });

  it('checks monthlyof', () => {
    const monthly = (monthlyof: unknown, selectat = '1,7') =>
      ct({ turnmode: 6, selectat, monthlyof });
    refuses(monthly({ day: 32, week: '' }), `${P}.monthlyof.day`, '-31 to 31');
    refuses(monthly({ day: 0, week: '' }), `${P}.monthlyof.week`, 'which:weekday');
    refuses(monthly({ day: 0, week: '6:1' }), `${P}.monthlyof.week`, 'which:weekday');
    refuses(monthly({ day: 0, week: '1:7' }), `${P}.monthlyof.week`, 'which:weekday');
    refuses(monthly({ dya: 1, week: '' }), `${P}.monthlyof.dya`, 'did you mean day?');
    refuses(monthly(undefined), `${P}.monthlyof`, 'must be an object');
    assert.equal(parseSchedule(monthly({ day: 0, week: '0:1' }), P).kind, 'cloudtask');
    assert.equal(parseSchedule(monthly({ day: -1, week: '' }), P).kind, 'cloudtask');
  });

  it('refuses a day the selected months never have', () => {
    refuses(
      ct({ turnmode: 6, selectat: '2', monthlyof: { day: 30, week: '' } }),
      `${P}.monthlyof.day`,
      'day 30',
      'Feb',
      'at most 29',
    );
    refuses(
      ct({ turnmode: 6, selectat: '4,6,9,11', monthlyof: { day: 31, week: '' } }),
      `${P}.monthlyof.day`,
      'Apr, Jun, Sep, Nov',
    );
    refuses(
      ct({ turnmode: 6, selectat: '2', monthlyof: { day: -30, week: '' } }),
      `${P}.monthlyof.day`,
    );
    // February 29 exists in leap years, and day 31 exists in January.
    assert.ok(
      parseSchedule(ct({ turnmode: 6, selectat: '2', monthlyof: { day: 29, week: '' } }), P),
    );
    assert.ok(
      parseSchedule(ct({ turnmode: 6, selectat: '2,1', monthlyof: { day: 31, week: '' } }), P),
    );
  });
});
