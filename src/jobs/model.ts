// The jobs model: what a job, its schedules and its runs are. Shared by the store, the scheduler, the
// runner and every surface (native, Cloudtask, CLI, dashboard). Times are ms since the epoch here; the
// native API renders them as ISO strings.
import type { PipelineFormat } from '../pipeline/config/pipeline-config.ts';

export const OVERLAP_POLICIES = ['allow', 'forbid', 'queue', 'replace'] as const;
/** What happens when a run is due while another run of the same job is active. */
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

export const MISFIRE_POLICIES = ['skip', 'once', 'all'] as const;
/** What happens to fires missed by more than the grace period (agent down, clock jump). */
export type MisfirePolicy = (typeof MISFIRE_POLICIES)[number];

export const RUN_STATES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'canceled',
  'lost',
  'skipped',
  // A pipeline run stopped with a savepoint: it can be resumed from its checkpoint.
  'savepoint_done',
] as const;
export type RunState = (typeof RUN_STATES)[number];

/** States a run never leaves. */
export const FINAL_STATES: ReadonlySet<RunState> = new Set([
  'succeeded',
  'failed',
  'timed_out',
  'canceled',
  'lost',
  'skipped',
  'savepoint_done',
]);

/** `resume`: a manual run that starts from a pipeline's savepoint or last checkpoint. */
export const RUN_TRIGGERS = ['schedule', 'manual', 'retry', 'resume'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/** `{kind:"cron"}`: 5 fields, or 6 with seconds first; evaluated in `tz` (IANA) or the agent's zone. */
export interface CronSchedule {
  kind: 'cron';
  expr: string;
  tz?: string;
  enabled: boolean;
}

/** `{kind:"every"}`: every N seconds of absolute time, counted from the schedule's anchor. */
export interface EverySchedule {
  kind: 'every';
  everySec: number;
  enabled: boolean;
}

/** `{kind:"at"}`: once, at an ISO time. */
export interface AtSchedule {
  kind: 'at';
  at: string;
  enabled: boolean;
}

/** Cloudtask's `monthlyof`: `day` > 0 a day of month, < 0 from the month's end, 0 → `week` "which:weekday". */
export interface MonthlyOf {
  day: number;
  week: string;
}

/** A Cloudtask schedule, kept verbatim so the Cloudtask surface round-trips it (specs/cloudtask.md). */
export interface CloudtaskSchedule {
  kind: 'cloudtask';
  turnmode: number;
  interval: number;
  /** MM/DD/YYYY */
  startdate: string;
  enddate: string;
  /** HH:MM */
  starttime: string;
  endtime: string;
  selectat: string;
  monthlyof: MonthlyOf;
  /** Evaluated in this IANA zone, or the agent's. */
  tz?: string;
  enabled: boolean;
}

export type ScheduleSpec = CronSchedule | EverySchedule | AtSchedule | CloudtaskSchedule;
export type ScheduleKind = ScheduleSpec['kind'];

/** A schedule as stored: its spec plus its identity and the cursor the scheduler advances. */
export interface Schedule {
  id: string;
  jobId: string;
  spec: ScheduleSpec;
  /** Where `every` ticks are counted from (the schedule's creation), ms. */
  anchorAt: number;
  /** The next fire not yet turned into a run; undefined when the schedule will never fire again. */
  nextFireAt?: number;
}

export interface RetryPolicy {
  /** Attempts in all, the first included; 1 = no retry. */
  maxAttempts: number;
  /** Delay before the first retry; doubles with each further attempt. */
  backoffSec: number;
  maxBackoffSec: number;
}

export const NOTIFY_EVENTS = [
  'succeeded',
  'failed',
  'lost',
  'skipped',
  'timed_out',
  'canceled',
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

export interface Webhook {
  url: string;
  events: NotifyEvent[];
  /** Signs each delivery (HMAC-SHA256 of the body); never shown back, only whether one is set. */
  secret?: string;
}

export const JOB_KINDS = ['command', 'pipeline'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** A pipeline job's config as submitted (SeaTunnel's JSON, HOCON or SQL form); parsed when a run starts. */
export interface PipelineSpec {
  format: PipelineFormat;
  config: string;
}

/**
 * The range of every numeric field a user sets, which the route schemas and the core check alike.
 * Each is what the code honours: the runner's timers take any of them (a timeout past Node's 24.8-day
 * timer is re-armed in steps), and a schedule's step keeps its fires within JavaScript's dates.
 */
export const JOB_LIMITS = {
  timeoutSec: { min: 0, max: 31 * 86_400 },
  graceSec: { min: 0, max: 3600 },
  misfireGraceSec: { min: 0, max: 7 * 86_400 },
  jitterSec: { min: 0, max: 86_400 },
  keepRuns: { min: 0, max: 1_000_000 },
  'retry.maxAttempts': { min: 1, max: 100 },
  'retry.backoffSec': { min: 0, max: 86_400 },
  'retry.maxBackoffSec': { min: 0, max: 7 * 86_400 },
  /** Ten years. */
  everySec: { min: 1, max: 3650 * 86_400 },
  /** A Cloudtask step: a million seconds, minutes, hours, days or weeks (19,000 years) at most. */
  interval: { min: 0, max: 1_000_000 },
  /** A job package's archive: the store keeps a copy of each. */
  packageBytes: { min: 0, max: 64 << 20 },
} as const;

/** What a user says a job is; everything else on a Job is kept by the agent. */
export interface JobSpec {
  name: string;
  /** `command`: `cmd` run by a shell; `pipeline`: the `pipeline` config run by the engine. */
  kind: JobKind;
  /** Run by `/bin/sh -c`; empty for a pipeline. */
  cmd: string;
  pipeline?: PipelineSpec;
  env: Record<string, string>;
  /** Working directory; relative to the job's package dir when it has one. Empty: the package dir or the job's work dir. */
  cwd: string;
  /** 0 = no timeout. */
  timeoutSec: number;
  /** Between the stop signal and SIGKILL. */
  graceSec: number;
  retry: RetryPolicy;
  overlap: OverlapPolicy;
  misfire: MisfirePolicy;
  /** A fire later than this is a misfire. */
  misfireGraceSec: number;
  /** Each fire starts up to this many seconds late, by a fixed amount derived from the job id. */
  jitterSec: number;
  enabled: boolean;
  schedules: ScheduleSpec[];
  webhooks: Webhook[];
  /** Runs kept per job (0 = the agent's default). */
  keepRuns: number;
}

export interface JobPackage {
  sha256: string;
  size: number;
  uploadedAt: number;
}

export interface Job extends Omit<JobSpec, 'schedules'> {
  id: string;
  /** Grows with every change to the definition. */
  version: number;
  createdAt: number;
  updatedAt: number;
  schedules: Schedule[];
  package?: JobPackage;
}

export interface Run {
  id: string;
  jobId: string;
  scheduleId?: string;
  trigger: RunTrigger;
  state: RunState;
  /** 1 for the first attempt, +1 per retry. */
  attempt: number;
  /** The fire time this run stands for (schedule), or when it was asked for (manual, retry). */
  scheduledFor: number;
  /** Not before this time (jitter, retry backoff). */
  runAt: number;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  signal?: string;
  nodeId?: string;
  /** Process group of the run's shell while it runs on its node. */
  pgid?: number;
  /** Why the run failed, was skipped, lost or canceled. */
  error?: string;
  /** Set when someone asked the run to stop: the signal to send first. */
  stopSignal?: string;
  /** Bytes of output the run produced, and whether the stored log was cut in the middle. */
  logBytes: number;
  logTruncated: boolean;
  /** A pipeline run's metrics (SeaTunnel's names), updated while it runs and kept when it ends. */
  metrics?: Record<string, unknown>;
  /** A pipeline run's last checkpoint: where a resumed run starts. */
  checkpoint?: unknown;
}
