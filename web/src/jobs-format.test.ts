import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compareIds,
  exactTime,
  exitLabel,
  formatRunDuration,
  isActive,
  keepEnd,
  localTime,
  policyRows,
  relativeTime,
  retryWords,
  runDurationSec,
  runTime,
  runTone,
  scheduleDetail,
  stateLabel,
} from './jobs-format.ts';
import type { JobJson, RunJson, RunState, ScheduleJson } from './jobs-types.ts';

const NOW = Date.parse('2026-11-23T14:00:00.000Z');

function run(overrides: Partial<RunJson> = {}): RunJson {
  return {
    id: '100',
    jobId: '1',
    jobName: 'backup',
    scheduleId: null,
    trigger: 'manual',
    state: 'succeeded',
    attempt: 1,
    scheduledFor: '2026-11-23T13:59:00.000Z',
    runAt: '2026-11-23T13:59:00.000Z',
    createdAt: '2026-11-23T13:59:00.000Z',
    startedAt: '2026-11-23T13:59:00.000Z',
    finishedAt: '2026-11-23T13:59:42.500Z',
    exitCode: 0,
    signal: null,
    node: 'n1',
    error: null,
    stopRequested: false,
    stopSignal: null,
    logBytes: 10,
    logTruncated: false,
    metrics: null,
    checkpointId: null,
    ...overrides,
  };
}

test('runTone gives every state a colour: green, red, amber, blue or grey', () => {
  const tones: Record<RunState, string> = {
    queued: 'idle',
    running: 'active',
    succeeded: 'ok',
    failed: 'crit',
    timed_out: 'crit',
    lost: 'crit',
    canceled: 'warn',
    skipped: 'idle',
    savepoint_done: 'ok',
  };
  for (const [state, tone] of Object.entries(tones)) {
    assert.equal(runTone(state as RunState), tone, state);
  }
});

test('stateLabel and isActive', () => {
  assert.equal(stateLabel('timed_out'), 'timed out');
  assert.equal(stateLabel('running'), 'running');
  assert.equal(isActive('queued'), true);
  assert.equal(isActive('running'), true);
  assert.equal(isActive('canceled'), false);
});

test('relativeTime says "in" for the future and "ago" for the past', () => {
  assert.equal(relativeTime('2026-11-23T14:04:10.000Z', NOW), 'in 4m 10s');
  assert.equal(relativeTime('2026-11-23T11:58:00.000Z', NOW), '2h 02m ago');
  assert.equal(relativeTime('2026-11-25T15:00:00.000Z', NOW), 'in 2d 1h');
  assert.equal(relativeTime('2026-11-23T14:00:00.400Z', NOW), 'just now');
  assert.equal(relativeTime(null, NOW), '–');
  assert.equal(relativeTime('not a time', NOW), '–');
});

test('runDurationSec counts to the end, or to now while running, and not before a start', () => {
  assert.equal(runDurationSec(run(), NOW), 42.5);
  assert.equal(runDurationSec(run({ state: 'running', finishedAt: null }), NOW), 60);
  assert.equal(
    runDurationSec(run({ state: 'queued', startedAt: null, finishedAt: null }), NOW),
    undefined,
  );
});

test("formatRunDuration is units' formatSpan: milliseconds, then tenths for short runs", () => {
  assert.equal(formatRunDuration(0.25), '250ms');
  assert.equal(formatRunDuration(1.66), '1.6s');
  assert.equal(formatRunDuration(42.5), '42s');
  assert.equal(formatRunDuration(3725), '1h 02m');
  assert.equal(formatRunDuration(undefined), '–');
});

test('runTime and exitLabel', () => {
  assert.equal(runTime(run()), '2026-11-23T13:59:42.500Z');
  assert.equal(runTime(run({ finishedAt: null })), '2026-11-23T13:59:00.000Z');
  assert.equal(exitLabel(run({ exitCode: 2 })), 'exit 2');
  assert.equal(exitLabel(run({ exitCode: null, signal: 'SIGTERM' })), 'SIGTERM');
  assert.equal(exitLabel(run({ exitCode: null })), '–');
});

test('compareIds orders decimal ids beyond 2^53 and of different lengths', () => {
  assert.ok(compareIds('99', '100') < 0);
  assert.ok(compareIds('9007199254740993', '9007199254740992') > 0);
  assert.equal(compareIds('42', '42'), 0);
  assert.deepEqual(['3', '20', '100', '11'].sort(compareIds), ['3', '11', '20', '100']);
});

test('policyRows says what the policies do', () => {
  const job = {
    timeoutSec: 3600,
    graceSec: 10,
    retry: { maxAttempts: 3, backoffSec: 30, maxBackoffSec: 600 },
    overlap: 'forbid',
    misfire: 'once',
    misfireGraceSec: 60,
    jitterSec: 0,
    keepRuns: 0,
  } as JobJson;
  assert.deepEqual(policyRows(job), [
    ['Timeout', '1h'],
    ['Stop grace', '10s'],
    ['Retry', 'up to 3 attempts, backoff 30s doubling to 10m'],
    ['Overlap', 'forbid: a due run is skipped while one is running'],
    ['Misfire', 'one catch-up run for missed fires (after 1m late)'],
  ]);
  assert.deepEqual(policyRows({ ...job, timeoutSec: 0, jitterSec: 5, keepRuns: 20 }).slice(0, 1), [
    ['Timeout', 'none'],
  ]);
  assert.deepEqual(policyRows({ ...job, jitterSec: 5, keepRuns: 20 }).slice(5), [
    ['Jitter', 'up to 5s'],
    ['Keeps', 'the last 20 runs'],
  ]);
  assert.equal(retryWords({ maxAttempts: 1, backoffSec: 10, maxBackoffSec: 600 }), 'no retry');
});

test('scheduleDetail shows the schedule in its own terms', () => {
  const base = { id: '1', enabled: true, nextFireAt: null, description: '' };
  const cron = { ...base, kind: 'cron', expr: '30 2 * * *', tz: 'Europe/Berlin' } as ScheduleJson;
  assert.equal(scheduleDetail(cron), 'cron 30 2 * * * · Europe/Berlin');
  assert.equal(scheduleDetail({ ...base, kind: 'every', everySec: 90 }), 'every 90 s');
  assert.equal(
    scheduleDetail({ ...base, kind: 'at', at: '2026-12-01T00:00:00Z' }),
    'once at 2026-12-01T00:00:00Z',
  );
  assert.equal(scheduleDetail({ ...base, kind: 'cloudtask' }), 'cloudtask');
});

test('keepEnd keeps the end of a log, from a line start when one is near', () => {
  assert.equal(keepEnd('short', 10), 'short');
  assert.equal(keepEnd('line 1\nline 2\nline 3\n', 10), 'line 3\n');
  // One endless line: cut mid-line rather than dropping everything.
  const long = 'x'.repeat(10_000);
  assert.equal(keepEnd(long, 100), 'x'.repeat(100));
  assert.equal(keepEnd(`${'y'.repeat(5000)}\n${long}`, 6000).length, 6000);
});

test('localTime and exactTime show the browser zone, and exactTime adds UTC', () => {
  const iso = new Date(2026, 10, 23, 4, 5, 6).toISOString();
  assert.equal(localTime(iso), '2026-11-23 04:05:06');
  assert.equal(exactTime(iso), `2026-11-23 04:05:06 local · ${iso}`);
  assert.equal(localTime(null), '–');
  assert.equal(exactTime(null), '');
});
