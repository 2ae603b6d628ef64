import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScheduleSpec } from '../../model/schedules.ts';
import { formatSpanCompact as formatDuration } from '../../units/display.ts';
import { planFires, type PlanInput } from './plan.ts';

const REFERENCE_TIMESTAMP = Date.UTC(2026, 0, 1, 0, 0, 0);
const MIN = 60_000;
const DAY = 86_400_000;
const everyMinute: ScheduleSpec = { kind: 'every', everySec: 60, enabled: true };
const ctx = { tz: 'UTC', anchorMs: REFERENCE_TIMESTAMP };

function plan(fields: Partial<PlanInput>) {
  return planFires({
    spec: everyMinute,
    cursor: REFERENCE_TIMESTAMP,
    now: REFERENCE_TIMESTAMP,
    misfire: 'skip',
    graceMs: 60_000,
    catchupLimit: 5,
    lookaheadMs: 5_000,
    ctx,
    ...fields,
  });
}

const runs = (fires: Array<{ scheduledFor: number; skipped?: string }>) =>
  fires.filter((f) => f.skipped === undefined).map((f) => f.scheduledFor);
const skips = (fires: Array<{ scheduledFor: number; skipped?: string }>) =>
  fires.filter((f) => f.skipped !== undefined);

describe('planFires: on time', () => {
  it('takes the fire that is due and those within the lookahead', () => {
    const p = plan({ now: REFERENCE_TIMESTAMP - 3_000 });
    assert.deepEqual(p.fires, [{ scheduledFor: REFERENCE_TIMESTAMP }]);
    assert.equal(p.nextFireAt, REFERENCE_TIMESTAMP + MIN);
  });

  it('plans nothing when the cursor is beyond the lookahead', () => {
    const p = plan({ now: REFERENCE_TIMESTAMP - 10_000 });
    assert.deepEqual(p.fires, []);
    assert.equal(p.nextFireAt, REFERENCE_TIMESTAMP);
  });

  it('runs a late fire normally while it is within grace', () => {
    const p = plan({ now: REFERENCE_TIMESTAMP + 50_000 });
    assert.deepEqual(p.fires, [{ scheduledFor: REFERENCE_TIMESTAMP }]);
    assert.equal(p.nextFireAt, REFERENCE_TIMESTAMP + MIN);
  });

  it('ends with undefined when the schedule never fires again', () => {
    const at: ScheduleSpec = {
      kind: 'at',
      at: new Date(REFERENCE_TIMESTAMP).toISOString(),
      enabled: true,
    };
    const p = plan({ spec: at, now: REFERENCE_TIMESTAMP });
    assert.deepEqual(p.fires, [{ scheduledFor: REFERENCE_TIMESTAMP }]);
    assert.equal(p.nextFireAt, undefined);
  });
});

describe('planFires: a short outage', () => {
  // Down from just before 00:00 to 00:03:12: the 00:00, 00:01 and 00:02 fires are more than a
  // minute late; 00:03 is 12 s late and within grace.
  const now = REFERENCE_TIMESTAMP + 3 * MIN + 12_000;

  it('skip: each missed fire becomes a skipped row saying by how much', () => {
    const p = plan({ now, misfire: 'skip' });
    assert.deepEqual(
      skips(p.fires).map((f) => [f.scheduledFor, f.skipped]),
      [
        [REFERENCE_TIMESTAMP, 'missed by 3m12s (agent down or busy); misfire policy skip'],
        [REFERENCE_TIMESTAMP + MIN, 'missed by 2m12s (agent down or busy); misfire policy skip'],
        [
          REFERENCE_TIMESTAMP + 2 * MIN,
          'missed by 1m12s (agent down or busy); misfire policy skip',
        ],
      ],
    );
    assert.deepEqual(runs(p.fires), [REFERENCE_TIMESTAMP + 3 * MIN]);
    assert.equal(p.nextFireAt, REFERENCE_TIMESTAMP + 4 * MIN);
  });

  it('once: the latest missed fire runs, the others are skipped', () => {
    const p = plan({ now, misfire: 'once' });
    assert.deepEqual(runs(p.fires), [REFERENCE_TIMESTAMP + 2 * MIN, REFERENCE_TIMESTAMP + 3 * MIN]);
    assert.deepEqual(
      skips(p.fires).map((f) => f.scheduledFor),
      [REFERENCE_TIMESTAMP, REFERENCE_TIMESTAMP + MIN],
    );
    assert.match(skips(p.fires)[0]?.skipped ?? '', /misfire policy once/);
  });

  it('all: every missed fire runs when within the catch-up limit', () => {
    const p = plan({ now, misfire: 'all' });
    assert.deepEqual(skips(p.fires), []);
    assert.deepEqual(
      runs(p.fires),
      [0, 1, 2, 3].map((i) => REFERENCE_TIMESTAMP + i * MIN),
    );
  });

  it('all: beyond the limit the newest run and the oldest are skipped', () => {
    const p = plan({ now, misfire: 'all', catchupLimit: 2 });
    assert.deepEqual(
      runs(p.fires),
      [1, 2, 3].map((i) => REFERENCE_TIMESTAMP + i * MIN),
    );
    assert.deepEqual(
      skips(p.fires).map((f) => [f.scheduledFor, f.skipped]),
      [
        [
          REFERENCE_TIMESTAMP,
          'missed by 3m12s (agent down or busy); over the catch-up limit of 2 (misfire policy all)',
        ],
      ],
    );
  });

  it('keeps fires in order of scheduledFor', () => {
    for (const misfire of ['skip', 'once', 'all'] as const) {
      const times = plan({ now, misfire, catchupLimit: 1 }).fires.map((f) => f.scheduledFor);
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
        misfire,
      );
    }
  });
});

describe('planFires: the agent was down for days (every minute)', () => {
  // Down for three days: 4,320 fires are more than a minute late.
  const now = REFERENCE_TIMESTAMP + 3 * DAY + 30_000;
  const lastMissed = REFERENCE_TIMESTAMP + 3 * DAY - MIN;

  it('skip: one summary row with the count, then the fire that is on time', () => {
    const p = plan({ now, misfire: 'skip' });
    assert.deepEqual(p.fires, [
      {
        scheduledFor: lastMissed,
        skipped:
          'missed 4,320 fires between 2026-01-01T00:00:00Z and 2026-01-03T23:59:00Z ' +
          '(agent down or busy); misfire policy skip',
      },
      { scheduledFor: REFERENCE_TIMESTAMP + 3 * DAY },
    ]);
    assert.equal(p.nextFireAt, REFERENCE_TIMESTAMP + 3 * DAY + MIN);
  });

  it('once: one run for the latest missed fire, one summary for the rest', () => {
    const p = plan({ now, misfire: 'once' });
    assert.equal(p.fires.length, 3);
    assert.equal(p.fires[0]?.scheduledFor, lastMissed - MIN);
    assert.match(
      p.fires[0]?.skipped ?? '',
      /^missed 4,319 fires between 2026-01-01T00:00:00Z and 2026-01-03T23:58:00Z/,
    );
    assert.deepEqual(p.fires.slice(1), [
      { scheduledFor: lastMissed },
      { scheduledFor: REFERENCE_TIMESTAMP + 3 * DAY },
    ]);
  });

  it('all: the newest catchupLimit run, the rest collapse into one row', () => {
    const p = plan({ now, misfire: 'all', catchupLimit: 5 });
    assert.equal(p.fires.length, 1 + 5 + 1);
    assert.match(p.fires[0]?.skipped ?? '', /^missed 4,315 fires .*over the catch-up limit of 5/);
    assert.deepEqual(
      runs(p.fires),
      [5, 4, 3, 2, 1, 0].map((i) => lastMissed + MIN - i * MIN),
    );
  });
});

describe('planFires: bounded work', () => {
  // The catch-up counts the missed fires rather than walking them; a walk that ran away is caught by
  // the test's timeout, not a timed assertion.
  it(
    'an every-second schedule down for 30 days stays bounded and still runs the newest',
    {
      timeout: 60_000,
    },
    () => {
      const spec: ScheduleSpec = { kind: 'every', everySec: 1, enabled: true };
      const now = REFERENCE_TIMESTAMP + 30 * DAY;
      const p = plan({ spec, now, misfire: 'all', catchupLimit: 3, lookaheadMs: 0 });
      const lastMissed = now - 61_000; // the newest fire more than 60 s behind now
      // 30 days of seconds minus the last minute, less the three that ran.
      assert.match(p.fires[0]?.skipped ?? '', /^missed 2,591,937 fires between/);
      assert.deepEqual(runs(p.fires).slice(0, 3), [
        lastMissed - 2000,
        lastMissed - 1000,
        lastMissed,
      ]);
      // Then the 61 on-time fires from now - 60 s to now.
      assert.equal(runs(p.fires).length, 3 + 61);
      assert.equal(p.nextFireAt, now + 1000);
    },
  );

  it('a cron schedule down for days plans bounded rows', () => {
    const spec: ScheduleSpec = {
      kind: 'cron',
      expr: '*/5 * * * *',
      tz: 'Europe/Berlin',
      enabled: true,
    };
    const p = plan({
      spec,
      now: REFERENCE_TIMESTAMP + 10 * DAY,
      misfire: 'skip',
      catchupLimit: 100,
    });
    assert.equal(skips(p.fires).length, 1);
    assert.match(skips(p.fires)[0]?.skipped ?? '', /^missed 2,880 fires/);
  });
});

describe('planFires: past the scan limit', () => {
  it('counts "more than" and still finds the newest missed fires', () => {
    const spec: ScheduleSpec = {
      kind: 'cron',
      expr: '* * * * *',
      tz: 'America/New_York',
      enabled: true,
    };
    const now = REFERENCE_TIMESTAMP + 2 * DAY;
    const p = plan({ spec, now, misfire: 'all', catchupLimit: 2, scanLimit: 500 });
    assert.match(
      p.fires[0]?.skipped ?? '',
      /^missed more than 498 fires between 2026-01-01T00:00:00Z and/,
    );
    // now - 1 min is exactly a grace period late: still on time.
    assert.deepEqual(runs(p.fires), [now - 3 * MIN, now - 2 * MIN, now - MIN, now]);
    assert.equal(p.nextFireAt, now + MIN);
  });
});

describe('formatDuration', () => {
  it('shows the two largest units', () => {
    assert.equal(formatDuration(45_000), '45s');
    assert.equal(formatDuration(192_000), '3m12s');
    assert.equal(formatDuration(3 * 3_600_000 + 5 * MIN), '3h5m');
    assert.equal(formatDuration(2 * DAY + 4 * 3_600_000 + 59_000), '2d4h');
  });
});
