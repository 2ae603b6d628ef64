// What a job is: a definition (a command or a pipeline), its policies and its limits. Shared by the
// store, the services and every surface (native, Cloudtask, SeaTunnel, CLI, dashboard). Times are ms
// since the epoch here; the native API renders them as ISO strings.
import type { Schedule, ScheduleSpec } from './schedules.ts';

export const OVERLAP_POLICIES = ['allow', 'forbid', 'queue', 'replace'] as const;
/** What happens when a run is due while another run of the same job is active. */
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

export const MISFIRE_POLICIES = ['skip', 'once', 'all'] as const;
/** What happens to fires missed by more than the grace period (agent down, clock jump). */
export type MisfirePolicy = (typeof MISFIRE_POLICIES)[number];

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

/** The text forms of a pipeline config: SeaTunnel's JSON, HOCON (`.conf`) and SQL. */
export const PIPELINE_FORMATS = ['json', 'hocon', 'sql'] as const;
export type PipelineFormat = (typeof PIPELINE_FORMATS)[number];

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
