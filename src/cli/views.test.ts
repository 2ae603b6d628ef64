// jobsTable, runsTable, jobDetail and runDetail against a pinned clock, without colour and with it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiJob, ApiRun } from './api-types.ts';
import { jobDetail, jobsTable, runDetail, runsTable, scheduleSummary } from './views.ts';

const NOW = Date.parse('2026-11-23T14:00:00.000Z');
const iso = (offsetMs: number): string => new Date(NOW + offsetMs).toISOString();
const VIEW = { nowMs: NOW, color: false, timeZone: 'Europe/Berlin' };

function job(over: Partial<ApiJob> = {}): ApiJob {
  return {
    id: '11',
    name: 'backup',
    kind: 'command',
    cmd: 'pg_dump app',
    pipeline: null,
    env: { PGHOST: 'db' },
    cwd: '',
    timeoutSec: 3600,
    graceSec: 10,
    retry: { maxAttempts: 3, backoffSec: 30, maxBackoffSec: 600 },
    overlap: 'forbid',
    misfire: 'skip',
    misfireGraceSec: 60,
    jitterSec: 0,
    enabled: true,
    schedules: [
      {
        id: '12',
        kind: 'cron',
        enabled: true,
        nextFireAt: iso(4 * 60_000),
        description: 'at 02:30 every day',
      },
    ],
    webhooks: [],
    keepRuns: 0,
    version: 1,
    createdAt: iso(-3600_000),
    updatedAt: iso(-3600_000),
    package: null,
    nextRunAt: iso(4 * 60_000),
    lastRun: run({ id: '99', state: 'failed', finishedAt: iso(-3 * 60_000) }),
    ...over,
  };
}

function run(over: Partial<ApiRun> = {}): ApiRun {
  return {
    id: '99',
    jobId: '11',
    jobName: 'backup',
    scheduleId: null,
    trigger: 'manual',
    state: 'failed',
    attempt: 1,
    scheduledFor: iso(-5 * 60_000),
    runAt: iso(-5 * 60_000),
    createdAt: iso(-5 * 60_000),
    startedAt: iso(-5 * 60_000),
    finishedAt: iso(-5 * 60_000 + 72_000),
    exitCode: 3,
    signal: null,
    node: 'n1',
    error: 'exited with code 3',
    stopRequested: false,
    stopSignal: null,
    logBytes: 12,
    logTruncated: false,
    metrics: null,
    checkpointId: null,
    ...over,
  };
}

describe('scheduleSummary', () => {
  it('shows the first schedule, "+N" for more and "manual" for none', () => {
    const s = job().schedules[0]!;
    assert.equal(scheduleSummary([]), 'manual');
    assert.equal(scheduleSummary([s]), 'at 02:30 every day');
    assert.equal(scheduleSummary([s, s, s]), 'at 02:30 every day +2');
  });
});

describe('jobsTable', () => {
  it('lists schedule, next run, last run and enabled', () => {
    const text = jobsTable(
      [
        job(),
        job({
          id: '13',
          name: 'adhoc',
          schedules: [],
          nextRunAt: null,
          lastRun: null,
          enabled: false,
        }),
      ],
      VIEW,
    );
    assert.equal(
      text,
      [
        'ID  NAME    SCHEDULE            NEXT RUN  LAST           ENABLED',
        '11  backup  at 02:30 every day  in 4m     failed 3m ago  yes',
        '13  adhoc   manual              -         -              no',
        '',
      ].join('\n'),
    );
  });

  it('colours the last state only when asked', () => {
    assert.ok(
      jobsTable([job()], { ...VIEW, color: true }).includes('\x1b[31mfailed 3m ago\x1b[0m'),
    );
    assert.ok(!jobsTable([job()], VIEW).includes('\x1b'));
  });
});

describe('runsTable', () => {
  it('shows duration, exit code, and a running run timed up to now', () => {
    const text = runsTable(
      [
        run(),
        run({
          id: '100',
          state: 'running',
          finishedAt: null,
          exitCode: null,
          startedAt: iso(-2_500),
        }),
        run({ id: '101', state: 'queued', startedAt: null, finishedAt: null, exitCode: null }),
      ],
      VIEW,
    );
    assert.equal(
      text,
      [
        'ID   JOB     STATE    TRIGGER  ATTEMPT  STARTED  DURATION  EXIT',
        '99   backup  failed   manual         1  5m ago   1m 12s       3',
        '100  backup  running  manual         1  2s ago   2.5s         -',
        '101  backup  queued   manual         1  -        -            -',
        '',
      ].join('\n'),
    );
  });
});

describe('jobDetail and runDetail', () => {
  it('reads as key: value lines with schedules and recent runs', () => {
    const text = jobDetail(job(), [run()], VIEW);
    assert.match(text, /^id: +11$/m);
    assert.match(text, /^command: +pg_dump app$/m);
    assert.match(text, /^env: +PGHOST=db$/m);
    assert.match(text, /^timeout: +1h \(then 10s grace before SIGKILL\)$/m);
    assert.match(text, /^retry: +up to 3 attempts, backoff 30s doubling to 10m$/m);
    assert.match(text, /^next run: +2026-11-23 15:04:00 \+01:00 \(in 4m\)$/m);
    assert.match(text, /^ {2}- at 02:30 every day {2}next 2026-11-23 15:04:00 \+01:00 \(in 4m\)$/m);
    assert.match(text, /^recent runs:\n {2}ID +JOB/m);
  });

  it('says when a job has no schedules and no runs', () => {
    const text = jobDetail(job({ schedules: [], lastRun: null }), [], VIEW);
    assert.match(text, /schedules: none \(runs only when started by hand\)/);
    assert.match(text, /recent runs: none/);
  });

  it('shows a run with its exit code and error', () => {
    const text = runDetail(run(), VIEW);
    assert.match(text, /^state: +failed$/m);
    assert.match(text, /^exit code: +3$/m);
    assert.match(text, /^duration: +1m 12s$/m);
    assert.match(text, /^error: +exited with code 3$/m);
  });
});
