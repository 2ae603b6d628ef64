// How jobs and runs read in a terminal: tables for `ls`, key: value pages for `show`. Pure functions
// of the API's JSON and a clock, so they are tested without an agent.
import type { ApiJob, ApiRun, ApiSchedule } from './api-types.ts';
import { formatSeconds, formatSpan } from '../units/display.ts';
import { formatLocalTime, formatRelative } from './relative-time.ts';
import { renderTable } from './table.ts';

export interface ViewOptions {
  nowMs: number;
  /** ANSI colours for states; only when stdout is a terminal. */
  color: boolean;
  /** For local times; default this machine's zone. */
  timeZone?: string;
}

const STATE_COLORS: Readonly<Record<string, string>> = {
  succeeded: '32', // green
  failed: '31', // red
  timed_out: '31',
  lost: '31',
  running: '36', // cyan
  queued: '33', // yellow
  canceled: '2', // dim
  skipped: '2',
  savepoint_done: '32',
};

function paintState(text: string, color: boolean): string {
  const state = text.split(' ')[0] ?? '';
  const code = STATE_COLORS[state];
  return color && code ? `\x1b[${code}m${text}\x1b[0m` : text;
}

function ms(iso: string | null | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

function relative(iso: string | null | undefined, nowMs: number): string {
  const t = ms(iso);
  return t === undefined ? '-' : formatRelative(t, nowMs);
}

/** "at 02:30 every day", "+N" when there are more, "manual" when there are none. */
export function scheduleSummary(schedules: readonly ApiSchedule[]): string {
  const first = schedules[0];
  if (!first) return 'manual';
  return schedules.length > 1 ? `${first.description} +${schedules.length - 1}` : first.description;
}

/** "failed 3m ago" from the job's last run, "-" without one. */
function lastRunText(job: ApiJob, nowMs: number): string {
  const run = job.lastRun;
  if (!run?.state) return '-';
  const at = run.finishedAt ?? run.startedAt ?? run.createdAt;
  return at ? `${run.state} ${relative(at, nowMs)}` : run.state;
}

export function jobsTable(jobs: readonly ApiJob[], opts: ViewOptions): string {
  const rows = jobs.map((job) => [
    job.id,
    job.name,
    scheduleSummary(job.schedules ?? []),
    job.enabled ? relative(job.nextRunAt, opts.nowMs) : '-',
    lastRunText(job, opts.nowMs),
    job.enabled ? 'yes' : 'no',
  ]);
  return renderTable(['ID', 'NAME', 'SCHEDULE', 'NEXT RUN', 'LAST', 'ENABLED'], rows, {
    style: (col, text) => (col === 4 ? paintState(text, opts.color) : text),
  });
}

/** The run's wall time so far: finished - started, or now - started while it runs. */
function runDuration(run: ApiRun, nowMs: number): string {
  const start = ms(run.startedAt);
  if (start === undefined) return '-';
  const end = ms(run.finishedAt) ?? (run.state === 'running' ? nowMs : undefined);
  return end === undefined ? '-' : formatSpan(end - start);
}

function exitText(run: ApiRun): string {
  if (run.exitCode !== null && run.exitCode !== undefined) return String(run.exitCode);
  return run.signal ?? '-';
}

export function runsTable(runs: readonly ApiRun[], opts: ViewOptions): string {
  const rows = runs.map((run) => [
    run.id,
    run.jobName ?? run.jobId,
    run.state,
    run.trigger,
    String(run.attempt),
    relative(run.startedAt, opts.nowMs),
    runDuration(run, opts.nowMs),
    exitText(run),
  ]);
  return renderTable(
    ['ID', 'JOB', 'STATE', 'TRIGGER', 'ATTEMPT', 'STARTED', 'DURATION', 'EXIT'],
    rows,
    {
      rightAlign: [4, 7],
      style: (col, text) => (col === 2 ? paintState(text, opts.color) : text),
    },
  );
}

/** `key: value` lines with the values lined up. */
function keyValues(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(...pairs.map(([k]) => k.length)) + 2;
  return pairs.map(([k, v]) => `${(k + ':').padEnd(width)}${v}`.trimEnd() + '\n').join('');
}

/** "2026-11-24 02:30:00 +01:00 (in 4h)", or "-". */
function when(iso: string | null | undefined, opts: ViewOptions): string {
  const t = ms(iso);
  if (t === undefined) return '-';
  return `${formatLocalTime(t, opts.timeZone)} (${formatRelative(t, opts.nowMs)})`;
}

export function jobDetail(job: ApiJob, recentRuns: readonly ApiRun[], opts: ViewOptions): string {
  const retry = job.retry;
  const pairs: [string, string][] = [
    ['id', job.id],
    ['name', job.name],
    ['enabled', job.enabled ? 'yes' : 'no'],
    ['command', job.cmd],
    ['cwd', job.cwd || '-'],
    [
      'env',
      Object.entries(job.env ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(' ') || '-',
    ],
    [
      'timeout',
      job.timeoutSec
        ? `${formatSeconds(job.timeoutSec)} (then ${formatSeconds(job.graceSec)} grace before SIGKILL)`
        : 'none',
    ],
    [
      'retry',
      retry && retry.maxAttempts > 1
        ? `up to ${retry.maxAttempts} attempts, backoff ${formatSeconds(retry.backoffSec)} doubling to ${formatSeconds(retry.maxBackoffSec)}`
        : 'no',
    ],
    ['overlap', job.overlap],
    ['misfire', `${job.misfire} (grace ${formatSeconds(job.misfireGraceSec)})`],
    ['jitter', job.jitterSec ? `up to ${formatSeconds(job.jitterSec)}` : 'none'],
    [
      'package',
      job.package
        ? `sha256 ${job.package.sha256.slice(0, 12)}…, ${job.package.size} bytes, uploaded ${relative(job.package.uploadedAt, opts.nowMs)}`
        : 'none',
    ],
    ['next run', job.enabled ? when(job.nextRunAt, opts) : '- (disabled)'],
    ['last run', paintState(lastRunText(job, opts.nowMs), opts.color)],
    ['version', `${job.version}, updated ${relative(job.updatedAt, opts.nowMs)}`],
  ];
  let text = keyValues(pairs);
  const schedules = job.schedules ?? [];
  text +=
    '\nschedules:' + (schedules.length === 0 ? ' none (runs only when started by hand)\n' : '\n');
  for (const s of schedules) {
    const next = s.enabled && job.enabled ? `  next ${when(s.nextFireAt, opts)}` : '';
    text += `  - ${s.description}${next}\n`;
  }
  const hooks = job.webhooks ?? [];
  if (hooks.length > 0) {
    text += '\nwebhooks:\n';
    for (const h of hooks) {
      text += `  - ${h.url} on ${h.events.join(', ')}${h.secret ? ' (signed)' : ''}\n`;
    }
  }
  text += '\nrecent runs:' + (recentRuns.length === 0 ? ' none\n' : '\n');
  if (recentRuns.length > 0) {
    text += runsTable(recentRuns, opts)
      .split('\n')
      .map((line) => (line ? `  ${line}` : line))
      .join('\n');
  }
  return text;
}

export function runDetail(run: ApiRun, opts: ViewOptions): string {
  const pairs: [string, string][] = [
    ['id', run.id],
    ['job', run.jobName ? `${run.jobName} (${run.jobId})` : run.jobId],
    [
      'state',
      paintState(run.state, opts.color) +
        (run.stopRequested && !run.finishedAt ? ' (stop requested)' : ''),
    ],
    ['trigger', run.trigger],
    ['attempt', String(run.attempt)],
    ['scheduled for', when(run.scheduledFor, opts)],
    ['started', when(run.startedAt, opts)],
    ['finished', when(run.finishedAt, opts)],
    ['duration', runDuration(run, opts.nowMs)],
    ['exit code', run.exitCode === null || run.exitCode === undefined ? '-' : String(run.exitCode)],
    ['signal', run.signal ?? '-'],
    ['node', run.node ?? '-'],
    ['error', run.error ?? '-'],
    ['log', `${run.logBytes} bytes${run.logTruncated ? ' (truncated)' : ''}`],
  ];
  return keyValues(pairs);
}
