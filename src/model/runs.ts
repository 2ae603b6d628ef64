// What a run is: one execution of a job, the states it passes through and what started it. Shared
// by the store, the services and every surface; each surface maps the states to its own words.

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

/** States a run never leaves: all but the two it passes through. */
export const FINAL_STATES: ReadonlySet<RunState> = new Set(
  RUN_STATES.filter((state) => state !== 'queued' && state !== 'running'),
);

/** The end states the job's retry policy may retry (a run someone stopped never is). */
export const RETRIABLE_STATES: ReadonlySet<RunState> = new Set(['failed', 'timed_out', 'lost']);

/** `resume`: a manual run that starts from a pipeline's savepoint or last checkpoint. */
export const RUN_TRIGGERS = ['schedule', 'manual', 'retry', 'resume'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

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
