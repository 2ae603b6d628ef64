// Pure helpers for the jobs pages: relative times, run states and their colours, policies in words,
// and the log's size cap. No DOM here, so jobs-format.test.ts runs them under node:test.
import { formatSeconds, formatSpan, localDateTime } from '../../src/units/display.ts';
import type { JobJson, RunJson, RunState, ScheduleJson } from './jobs-types.ts';

/** How a run state is coloured: `tone` maps to a CSS colour in app.css. */
export type RunTone = 'ok' | 'crit' | 'warn' | 'active' | 'idle';

const TONES: Record<RunState, RunTone> = {
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

export function runTone(state: RunState): RunTone {
  return TONES[state] ?? 'idle';
}

/** "timed_out" → "timed out". */
export function stateLabel(state: RunState): string {
  return state.replace('_', ' ');
}

/** A run that can still change: it may be stopped, and its log may grow. */
export function isActive(state: RunState): boolean {
  return state === 'queued' || state === 'running';
}

/** The time between two instants in words, no sign: 75 s → "1m 15s". */
function span(ms: number): string {
  return formatSpan(Math.abs(ms));
}

/**
 * An ISO time relative to `nowMs`: "in 4m 10s", "3h 2m ago", "just now" within a second.
 * Null or unparsable → "–".
 */
export function relativeTime(iso: string | null | undefined, nowMs: number): string {
  if (!iso) return '–';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '–';
  const delta = t - nowMs;
  if (Math.abs(delta) < 1000) return 'just now';
  return delta > 0 ? `in ${span(delta)}` : `${span(delta)} ago`;
}

/** "2026-11-23 14:55:00" in the browser's zone: for titles and detail fields. */
export function localTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (!Number.isFinite(d.getTime())) return '–';
  return localDateTime(d.getTime());
}

/** Tooltip text for a time: local and UTC, so nobody has to guess the zone. */
export function exactTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const local = localTime(iso);
  return local === '–' ? '' : `${local} local · ${iso}`;
}

/** Running time of a run: until it finished, or until now while it runs; undefined before it starts. */
export function runDurationSec(run: RunJson, nowMs: number): number | undefined {
  if (!run.startedAt) return undefined;
  const start = Date.parse(run.startedAt);
  const end = run.finishedAt ? Date.parse(run.finishedAt) : nowMs;
  if (!Number.isFinite(start) || !Number.isFinite(end)) return undefined;
  return Math.max(0, (end - start) / 1000);
}

/** A run's duration, as the CLI and the logs show one; "–" before it has one. */
export function formatRunDuration(sec: number | undefined): string {
  if (sec === undefined || !Number.isFinite(sec) || sec < 0) return '–';
  return formatSpan(sec * 1000);
}

/** The instant a run's age is counted from: when it ended, else started, else was created. */
export function runTime(run: RunJson): string {
  return run.finishedAt ?? run.startedAt ?? run.createdAt;
}

/** "exit 0", "exit 2", "SIGTERM", or "–" while there is none. */
export function exitLabel(run: RunJson): string {
  if (run.signal) return run.signal;
  if (run.exitCode !== null) return `exit ${run.exitCode}`;
  return '–';
}

/**
 * Order of decimal id strings (they outgrow Number's exact range): longer is larger, then by text.
 * Ids grow with time, so this is also newest-last.
 */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Seconds in words for settings where 0 means "none": 0 → "none", 3600 → "1h". */
export function secondsOrNone(sec: number): string {
  return sec > 0 ? formatSeconds(sec) : 'none';
}

const OVERLAP_WORDS: Record<JobJson['overlap'], string> = {
  allow: 'allow: a due run starts even while one is running',
  forbid: 'forbid: a due run is skipped while one is running',
  queue: 'queue: a due run waits for the running one',
  replace: 'replace: the running one is stopped, then the new one starts',
};

const MISFIRE_WORDS: Record<JobJson['misfire'], string> = {
  skip: 'skip missed fires',
  once: 'one catch-up run for missed fires',
  all: 'every missed fire runs (at most 100)',
};

export function retryWords(retry: JobJson['retry']): string {
  if (retry.maxAttempts <= 1) return 'no retry';
  return (
    `up to ${retry.maxAttempts} attempts, backoff ${formatSeconds(retry.backoffSec)}` +
    ` doubling to ${formatSeconds(retry.maxBackoffSec)}`
  );
}

/** The job's policies as label/value pairs, in the order the job page shows them. */
export function policyRows(job: JobJson): [string, string][] {
  const rows: [string, string][] = [
    ['Timeout', secondsOrNone(job.timeoutSec)],
    ['Stop grace', formatSeconds(job.graceSec)],
    ['Retry', retryWords(job.retry)],
    ['Overlap', OVERLAP_WORDS[job.overlap] ?? job.overlap],
    [
      'Misfire',
      `${MISFIRE_WORDS[job.misfire] ?? job.misfire} (after ${formatSeconds(job.misfireGraceSec)} late)`,
    ],
  ];
  if (job.jitterSec > 0) rows.push(['Jitter', `up to ${formatSeconds(job.jitterSec)}`]);
  if (job.keepRuns > 0) rows.push(['Keeps', `the last ${job.keepRuns} runs`]);
  return rows;
}

/** The schedule's own terms under its description: "cron 30 2 * * * · Europe/Berlin". */
export function scheduleDetail(s: ScheduleJson): string {
  switch (s.kind) {
    case 'cron':
      return `cron ${s.expr ?? ''}${s.tz ? ` · ${s.tz}` : ''}`;
    case 'every':
      return `every ${s.everySec ?? '?'} s`;
    case 'at':
      return `once at ${s.at ?? '?'}`;
    default:
      return s.kind;
  }
}

/**
 * Keeps the end of a growing text within `maxChars`, cutting at a line start when one is near so the
 * first line shown is whole. Returns the text unchanged when it fits.
 */
export function keepEnd(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const start = text.length - maxChars;
  const newline = text.indexOf('\n', start);
  // A line longer than 4 KiB is cut mid-line rather than dropped.
  return newline !== -1 && newline - start < 4096 ? text.slice(newline + 1) : text.slice(start);
}
